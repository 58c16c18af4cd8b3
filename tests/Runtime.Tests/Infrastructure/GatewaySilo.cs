using Alerts.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Runtime.Tests;

/// <summary>An in-process silo with its WebSocket gateway on a loopback port, and the test clients' credentials.</summary>
public sealed class GatewaySilo : IAsyncDisposable
{
    /// <summary>Test clients: name, secret, roles.</summary>
    public static readonly (string Name, string Secret, string[] Roles)[] Clients =
    [
        ("gateway-1", "gw-secret", ["gateway"]),
        ("admin-1", "admin-secret", ["admin"]),
        ("auditor-1", "audit-secret", ["auditor"]),
    ];

    private readonly WebApplication _app;

    private GatewaySilo(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public GrainRuntime Runtime => _app.Services.GetRequiredService<GrainRuntime>();

    /// <summary>Command-line style settings that configure the test clients' hashed credentials.</summary>
    public static Dictionary<string, string?> CredentialSettings()
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < Clients.Length; i++)
        {
            settings[$"Alerts:Silo:Gateway:Clients:{i}:Name"] = Clients[i].Name;
            settings[$"Alerts:Silo:Gateway:Clients:{i}:SecretHash"] = CredentialHash.Create(Clients[i].Secret);
            for (var r = 0; r < Clients[i].Roles.Length; r++) settings[$"Alerts:Silo:Gateway:Clients:{i}:Roles:{r}"] = Clients[i].Roles[r];
        }

        return settings;
    }

    public static async Task<GatewaySilo> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var storage = StorageKind.Fresh("sqlite");
        var settings = CredentialSettings();
        settings["Alerts:Silo:Storage:Provider"] = storage.Provider;
        settings["Alerts:Silo:Storage:ConnectionString"] = storage.ConnectionString;
        settings["Alerts:Silo:Gateway:MaxMessageBytes"] = "65536";
        configure?.Invoke(settings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.UseAlertsSilo(silo => silo.AddGrains(typeof(CounterGrain).Assembly));
        var app = builder.Build();
        app.MapGrainGateway();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewaySilo(app, new Uri(address.Replace("http://", "ws://") + "/grains"));
    }

    /// <summary>A connected client with a test credential.</summary>
    public Task<ClusterClient> ConnectAsync(string name = "gateway-1", Action<ClusterClientOptions>? configure = null)
    {
        var options = new ClusterClientOptions { Endpoint = Endpoint, Credential = name + ":" + Clients.First(c => c.Name == name).Secret, MaxMessageBytes = 65536 };
        configure?.Invoke(options);
        return ClusterClient.ConnectAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
