using System.Net;
using Alerts.Grains;
using Microsoft.Data.Sqlite;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime;
using Orleans.Storage;

namespace Alerts.Silo;

/// <summary>Builds a silo from configuration: the same code for the embedded SQLite mode and a PostgreSQL cluster.</summary>
public static class SiloHosting
{
    /// <summary>The invariant name Orleans' ADO.NET providers load Npgsql by.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>Orleans, the product's grains and services, security and health checks, as "Alerts:*" settings say.</summary>
    public static IHostApplicationBuilder UseAlertsSilo(this IHostApplicationBuilder builder)
    {
        var settings = ReadSettings(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(settings);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(ClusterSettings.Section + ":Membership"));
            if (settings.IsEmbedded) UseEmbedded(silo, settings);
            else UseCluster(silo, settings);
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Alerts, (sp, _) => new ReadableStorageErrors(sp.GetRequiredKeyedService<IGrainStorage>(StorageNames.Inner)));
            // Cells and cases are many and alike: random placement spreads them evenly, and a silo that just joined takes
            // its share at once (load-based placement waits for load statistics the newcomer has not yet published).
            silo.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
            silo.AddAlertsSecurity();
            if (settings.Dashboard ?? settings.IsEmbedded) silo.AddDashboard();
        });
        // After UseOrleans, so the product's background services start once the silo runs and stop before it.
        builder.Services.AddAlerts(builder.Configuration, StoreEngine.For(settings.Provider, settings.ConnectionString, settings.MaxPoolSize, settings.ConnectionWait), singleSilo: settings.IsEmbedded);
        // A cluster's operators configure an operator client in settings; the embedded silo makes its own.
        if (settings.IsEmbedded) builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, OperatorCredentialFile>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PortCheck>();
        builder.Services.AddSingleton<FailedStart>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<FailedStart>());
        builder.Services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<PositionWritesHealthCheck>("positions")
            .AddCheck<MembershipHealthCheck>("cluster");
        return builder;
    }

    /// <summary>The "Alerts:Cluster" settings, validated, with a relative SQLite path made absolute against the content root.</summary>
    public static ClusterSettings ReadSettings(IConfiguration configuration, string contentRoot)
    {
        UnknownSettings.Check(configuration);
        var settings = configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        settings.Validate();
        if (settings.IsEmbedded)
        {
            var sqlite = new SqliteConnectionStringBuilder(settings.ConnectionString);
            if (sqlite.DataSource != ":memory:" && !Path.IsPathRooted(sqlite.DataSource)) sqlite.DataSource = Path.GetFullPath(Path.Combine(contentRoot, sqlite.DataSource));
            settings.ConnectionString = sqlite.ToString();
        }

        return settings;
    }

    // One silo on loopback: nothing to install, nothing reachable from other machines.
    private static void UseEmbedded(ISiloBuilder silo, ClusterSettings settings)
    {
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        silo.AddSqliteGrainStorage(StorageNames.Inner, settings.ConnectionString);
        silo.UseSqliteReminders(settings.ConnectionString);
    }

    // Membership, grain state and reminders through Orleans' ADO.NET providers on the schema `migrate` applies.
    private static void UseCluster(ISiloBuilder silo, ClusterSettings settings)
    {
        var address = IPAddress.Parse(settings.AdvertisedAddress);
        var connectionString = settings.OrleansConnectionString();
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: settings.ListenOnAnyAddress);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(StorageNames.Inner, o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = connectionString;
        });
    }
}
