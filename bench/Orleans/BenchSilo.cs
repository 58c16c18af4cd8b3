using Alerts.Client;
using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;

namespace Alerts.Bench.Orleans;

/// <summary>
/// A real Orleans silo in this process, built by the Silo's own hosting code (<c>UseAlertsSilo</c>) on a
/// benchmark database, on free loopback ports; the grains of this assembly (the bench grain) come along.
/// </summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host)
    {
        _host = host;
        Settings = host.Services.GetRequiredService<ClusterSettings>();
    }

    /// <summary>The settings it runs with (ports, cluster id).</summary>
    public ClusterSettings Settings { get; }

    /// <summary>The silo's services (the product's singletons: <c>ResidentWriter</c>, options).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Calls from inside the silo (its hosted client), as the silo's own services make them.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts a silo on <paramref name="database"/> (whose schema must exist on PostgreSQL, as after `migrate`).</summary>
    public static async Task<BenchSilo> StartAsync(BenchDatabase database, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Errors only: a benchmark prints its figures, and an error explains a figure that is missing.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        var settings = BenchSettings.For(database.Provider, database.ConnectionString, clusterId);
        settings["Alerts:Cluster:SiloPort"] = BenchSettings.Port(FreePorts.Next());
        settings["Alerts:Cluster:GatewayPort"] = BenchSettings.Port(FreePorts.Next());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseAlertsSilo();
        var host = builder.Build();
        // A silo that fails to start is stopped and disposed, and a taken port named with its setting (SiloStart).
        await host.StartAlertsSiloAsync();
        return new BenchSilo(host);
    }

    /// <summary>An external client (<see cref="AlertsClient"/>) through this silo's gateway port, signed in with both roles (or as <paramref name="credential"/>).</summary>
    public Task<AlertsClient> ConnectClientAsync(string credential = BenchSettings.Credential) => AlertsClient.ConnectAsync(new AlertsClientOptions
    {
        ClusterId = Settings.ClusterId,
        ServiceId = Settings.ServiceId,
        Gateways = [$"127.0.0.1:{Settings.GatewayPort}"],
        Credential = credential,
    });

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
