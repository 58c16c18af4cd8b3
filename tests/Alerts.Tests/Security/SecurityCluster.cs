using System.Net;
using Alerts.Client;
using Alerts.Grains;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Alerts.Tests;

/// <summary>One silo with Alerts security on, two configured clients, and helpers to mint tokens the way other parties would.</summary>
public sealed class SecurityCluster : IAsyncLifetime
{
    public const string AdminName = "admin-app";
    public const string AdminSecret = "admin-secret-of-the-tests";
    public const string GatewayName = "gateway-app";
    public const string GatewaySecret = "gateway-secret-of-the-tests";

    private readonly List<IHost> _clients = [];

    /// <summary>The key the silo signs with.</summary>
    public string SigningKey { get; } = SecurityOptions.NewSigningKey();

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The SQLite database holding the silo's client_credentials table.</summary>
    public string CredentialDatabase { get; } = $"Data Source={ScratchFolder.NewFile(".db")}";

    /// <summary>A client without a credential: sends no token unless a test puts one in the request context.</summary>
    public IClusterClient RawClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        // Real sockets, so clients of our own (with and without a credential) can connect; the harness's own client would
        // poll Orleans test hooks, which the silo rightly refuses to clients, so it is not started.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.InitializeClientOnDeploy = false;
        // Through configuration, as a real silo gets them, so the Alerts:Security binding is what is tested.
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Security:SigningKey"] = SigningKey,
            ["Alerts:Security:TokenLifetime"] = "00:15:00",
            ["Alerts:Security:Clients:0:Name"] = AdminName,
            ["Alerts:Security:Clients:0:SecretHash"] = CredentialHash.Create(AdminSecret),
            ["Alerts:Security:Clients:0:Roles:0"] = Roles.Admin,
            ["Alerts:Security:Clients:1:Name"] = GatewayName,
            ["Alerts:Security:Clients:1:SecretHash"] = CredentialHash.Create(GatewaySecret),
            ["Alerts:Security:Clients:1:Roles:0"] = Roles.Gateway,
            [SecuritySiloConfigurator.DatabaseSetting] = CredentialDatabase,
        };
        // Sign-in reads stored credentials, so the silo needs the table (the product's start-up, which makes it, is not run here).
        await using (var engine = new SqliteEngine(CredentialDatabase)) await new ProductSchema(engine).EnsureAsync(5);
        foreach (var (key, value) in settings) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<SecuritySiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        RawClient = await StartClient(credential: null);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            try
            {
                await client.StopAsync();
            }
            catch (Exception)
            {
                // A client that never started (refused on purpose) may not stop cleanly; it is disposed all the same.
            }

            client.Dispose();
        }

        await Cluster.DisposeAsync();
    }

    /// <summary>A separate client that signs in with <paramref name="credential"/> through <see cref="ClientBuilderSecurityExtensions.AddAlertsCredential"/> (none when null).</summary>
    public async Task<IClusterClient> StartClient(string? credential)
    {
        var gateway = Cluster.Primary?.GatewayAddress?.Endpoint ?? throw new InvalidOperationException("the test silo has no gateway");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gateway.Port))
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = Cluster.Options.ClusterId;
                    o.ServiceId = Cluster.Options.ServiceId;
                })
                // One attempt, so more time than Orleans' 5 s: on a loaded machine the fixture's first connection once
                // timed out and failed every test of the class (a CI-clone run, 2026-12-01).
                .Configure<ConnectionOptions>(o => o.OpenConnectionTimeout = TimeSpan.FromSeconds(60));
            if (credential is not null) client.AddAlertsCredential(credential);
        });
        var host = builder.Build();
        // Kept before it starts, so one whose start fails (a refused credential, on purpose) is still stopped and disposed.
        _clients.Add(host);
        await host.StartAsync();
        return host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>A token issuer as another party would run it: its own clock, and by default this cluster's key and identity.</summary>
    public TokenIssuer Issuer(TimeProvider time, string? signingKey = null, string? serviceId = null, string? clusterId = null) => new(
        Options.Create(new SecurityOptions { SigningKey = signingKey ?? SigningKey }),
        Options.Create(new ClusterOptions { ServiceId = serviceId ?? Cluster.Options.ServiceId, ClusterId = clusterId ?? Cluster.Options.ClusterId }),
        time);
}

/// <summary>Turns Alerts security on in the test silo, exactly as the real silo does.</summary>
public sealed class SecuritySiloConfigurator : ISiloConfigurator
{
    /// <summary>The test setting naming the database of stored credentials.</summary>
    public const string DatabaseSetting = "Alerts:Test:CredentialDatabase";

    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddAlertsSecurity();
        var database = siloBuilder.Configuration[DatabaseSetting] ?? throw new InvalidOperationException($"{DatabaseSetting} is not set");
        siloBuilder.Services.AddSingleton<StoreEngine>(new SqliteEngine(database));
        siloBuilder.Services.AddSingleton<CredentialStore>();
    }
}
