using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Alerts.Runtime;

/// <summary>Hosting a silo in a .NET host, configured from "Alerts:Silo".</summary>
public static class SiloHostingExtensions
{
    /// <summary>Adds the grain runtime, its storage provider and its background work to the host.</summary>
    public static IHostApplicationBuilder UseAlertsSilo(this IHostApplicationBuilder builder, Action<SiloBuilder>? configure = null)
    {
        var services = builder.Services;
        services.AddOptions<SiloOptions>().Bind(builder.Configuration.GetSection(SiloOptions.Section)).Validate(o =>
            o.CallTimeout > TimeSpan.Zero && o.ActivationIdleTimeout > TimeSpan.Zero && o.CollectionInterval > TimeSpan.Zero
            && o.ReminderPollInterval > TimeSpan.Zero && o.MaxActivations > 0 && o.Gateway.MaxMessageBytes > 0,
            "Alerts:Silo timeouts, intervals and limits must be positive").ValidateOnStart();

        var registry = new GrainTypeRegistry();
        configure?.Invoke(new SiloBuilder(registry, services));
        services.AddSingleton(registry);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SqlGrainStorage(SqlDialect.For(sp.GetRequiredService<IOptions<SiloOptions>>().Value.Storage)));
        services.AddSingleton<IGrainStorage>(sp => sp.GetRequiredService<SqlGrainStorage>());
        services.AddSingleton<IReminderTable>(sp => sp.GetRequiredService<SqlGrainStorage>());
        services.AddSingleton<GrainRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.AddSingleton<SiloLifetime>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloLifetime>());
        return builder;
    }
}
