using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Grains;

/// <summary>Adds engagement tracking: its settings (checked at start), its store and the share token signer.</summary>
public static class EngagementHostingExtensions
{
    /// <summary>Binds <see cref="EngagementOptions"/> from "Alerts:Engagement" (a silo with a bad or missing share key refuses to start) and adds the services.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configuration">Its configuration.</param>
    /// <param name="singleSilo">True for the embedded silo: one shard per case unless configured.</param>
    public static IServiceCollection AddEngagement(this IServiceCollection services, IConfiguration configuration, bool singleSilo)
    {
        services.AddOptions<EngagementOptions>()
            .Bind(configuration.GetSection(EngagementOptions.Section))
            .PostConfigure(options =>
            {
                if (options.Shards == 0) options.Shards = singleSilo ? 1 : EngagementOptions.ClusterShards;
            })
            .Validate(options =>
            {
                options.Validate(); // throws naming the bad setting
                return true;
            })
            .ValidateOnStart();
        services.AddSingleton<EngagementStore>();
        services.AddSingleton<ShareTokens>();
        return services;
    }
}
