using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alerts.Grains;

/// <summary>Adds the product's services (stores, write-behind, purge, start-up work) beside the grains of this assembly.</summary>
public static class AlertsHostingExtensions
{
    /// <summary>The product's settings from the "Alerts" section, its tables on <paramref name="engine"/> (the host owns it from now on and closes its connections when it is disposed), and its background work.</summary>
    /// <param name="singleSilo">
    /// True when this silo is the only one (embedded): it may read every directory shard's rows in one pass and
    /// trust its own record of which cells have rows. A cluster's silos read shard by shard and always load cells.
    /// </param>
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration, StoreEngine engine, bool singleSilo)
    {
        // Checked when the host starts, before the silo listens: a silo refused midway through its start kept running.
        services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.Section))
            .Validate(options =>
            {
                options.Validate(); // throws naming the bad setting
                return true;
            })
            .ValidateOnStart();
        // Through a factory, so the container disposes it: an engine left open keeps its idle pooled connections for
        // minutes after its silo is gone (seen as "too many clients" on a server shared by many silos in a test run).
        services.AddSingleton<StoreEngine>(_ => engine);
        services.AddSingleton<ProductSchema>();
        services.AddSingleton<ResidentStore>();
        services.AddSingleton<CellLoads>();
        services.AddSingleton<CaseStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<RevokedCredentials>();
        services.AddHostedService(sp => sp.GetRequiredService<RevokedCredentials>());
        services.AddSingleton<AuditStore>();
        services.AddSingleton(sp => new ResidentCellIndex(authoritative: singleSilo, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertsOptions>>().Value.BlockPrecision));
        services.AddSingleton(sp => new DirectorySnapshot(sp.GetRequiredService<ResidentStore>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertsOptions>>(), singleSilo));
        services.AddSingleton(sp => new MoveJournal(sp.GetRequiredService<StoreEngine>(), enabled: !singleSilo));
        services.AddSingleton<ResidentWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ResidentWriter>());
        services.AddSingleton<StalePositionPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<StalePositionPurge>());
        services.AddSingleton(sp => new LiveSilos(sp.GetRequiredService<StoreEngine>(), sp.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.Grains), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LiveSilos>>(), enabled: !singleSilo));
        services.AddHostedService(sp => sp.GetRequiredService<LiveSilos>());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AlertsStartup>(sp, singleSilo));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<AlertsStartup>());
        services.AddSingleton<CaseRecovery>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<CaseRecovery>());
        services.AddEngagement(configuration, singleSilo);
        return services;
    }
}
