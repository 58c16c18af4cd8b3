using Alerts.Client;
using Alerts.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Bench.Runtime;

/// <summary>A silo with the bench grains and its WebSocket gateway on loopback, plus a connected client.</summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BenchDatabase _database;

    private BenchSilo(WebApplication app, BenchDatabase database, ClusterClient client)
    {
        _app = app;
        _database = database;
        Client = client;
    }

    public GrainRuntime Runtime => _app.Services.GetRequiredService<GrainRuntime>();

    public ClusterClient Client { get; }

    public static async Task<BenchSilo> StartAsync()
    {
        var database = BenchDatabase.Sqlite();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Silo:Storage:ConnectionString"] = database.ConnectionString,
            ["Alerts:Silo:Gateway:Clients:0:Name"] = "bench",
            ["Alerts:Silo:Gateway:Clients:0:SecretHash"] = CredentialHash.Create("bench"),
            ["Alerts:Silo:Gateway:Clients:0:Roles:0"] = "gateway",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.UseAlertsSilo(silo => silo.AddGrains(typeof(BenchGrain).Assembly));
        var app = builder.Build();
        app.MapGrainGateway();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Endpoint = new Uri(address.Replace("http://", "ws://") + "/grains"), Credential = "bench:bench" });
        return new BenchSilo(app, database, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _database.Dispose();
    }
}
