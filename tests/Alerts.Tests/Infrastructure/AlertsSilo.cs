using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Runtime;
using Alerts.Runtime.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary>An in-process silo running the product grains on a given store and a manual clock.</summary>
public sealed class AlertsSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private AlertsSilo(IHost host, ManualTimeProvider time)
    {
        _host = host;
        Time = time;
    }

    public ManualTimeProvider Time { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public AlertsStore Store => _host.Services.GetRequiredService<AlertsStore>();

    public StalePositionPurge Purge => _host.Services.GetRequiredService<StalePositionPurge>();

    public GrainRuntime Runtime => _host.Services.GetRequiredService<GrainRuntime>();

    /// <summary>The fixed test epoch: every manual clock starts here.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static async Task<AlertsSilo> StartAsync(StorageOptions storage, ManualTimeProvider? time = null, Dictionary<string, string?>? settings = null)
    {
        time ??= new ManualTimeProvider(Epoch);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var all = new Dictionary<string, string?>
        {
            ["Alerts:Silo:Storage:Provider"] = storage.Provider,
            ["Alerts:Silo:Storage:ConnectionString"] = storage.ConnectionString,
            ["Alerts:PushBatchSize"] = "50",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.UseAlerts();
        var host = builder.Build();
        await host.StartAsync();
        return new AlertsSilo(host, time);
    }

    /// <summary>A gateway that records and acknowledges every batch, subscribed to the push hub.</summary>
    public async Task<RecordingGateway> SubscribeGatewayAsync(string name = "gw")
    {
        var gateway = new RecordingGateway(Grains);
        await Grains.GetGrain<IPushHubGrain>(0).Subscribe(name, Grains.CreateObjectReference<IPushGateway>(gateway));
        return gateway;
    }

    /// <summary>Opens and dispatches a case, and waits until every cell of it is done.</summary>
    public async Task<CaseProgress> DispatchAsync(string caseId, CaseDefinition definition)
    {
        var watcher = new ProgressWatcher();
        var caseGrain = Grains.GetGrain<ICaseGrain>(caseId);
        await caseGrain.Open(definition);
        await caseGrain.Watch(Grains.CreateObjectReference<ICaseObserver>(watcher));
        await caseGrain.Dispatch();
        return await watcher.WaitFor(p => p.Status == CaseStatus.Dispatched);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
