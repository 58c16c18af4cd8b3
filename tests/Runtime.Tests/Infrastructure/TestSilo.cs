using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alerts.Runtime.Tests;

/// <summary>An in-process silo hosting the test grains, on a given store and clock.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private TestSilo(IHost host)
    {
        _host = host;
        Runtime = host.Services.GetRequiredService<GrainRuntime>();
    }

    public GrainRuntime Runtime { get; }

    public IGrainFactory Grains => Runtime;

    public static async Task<TestSilo> StartAsync(StorageOptions storage, TimeProvider? time = null, Action<SiloOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Silo:Storage:Provider"] = storage.Provider,
            ["Alerts:Silo:Storage:ConnectionString"] = storage.ConnectionString,
        };
        builder.Configuration.AddInMemoryCollection(settings);
        if (time is not null) builder.Services.AddSingleton<TimeProvider>(time);
        builder.UseAlertsSilo(silo => silo.AddGrains(typeof(CounterGrain).Assembly));
        if (configure is not null) builder.Services.PostConfigure(configure);
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host);
    }

    /// <summary>Graceful stop: every activation deactivates and flushes.</summary>
    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
