using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Grains;

/// <summary>Adds engagement tracking: its settings (checked at start), its store and the share token signer.</summary>
public static class EngagementHostingExtensions
{
    /// <summary>Binds <see cref="EngagementOptions"/> from "Alerts:Engagement" (a silo with a bad or missing share key refuses to start) and adds the services.</summary>
    public static IServiceCollection AddEngagement(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EngagementOptions>()
            .Bind(configuration.GetSection(EngagementOptions.Section))
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
