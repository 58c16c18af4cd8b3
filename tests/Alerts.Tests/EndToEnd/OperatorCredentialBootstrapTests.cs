using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>The embedded silo process makes its own operator credential file, and it and what it creates survive restarts.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are checked, and SiloProcess stops silos with kill -TERM
public sealed class OperatorCredentialBootstrapTests
{
    [Fact]
    public async Task The_embedded_silo_writes_an_owner_only_operator_credential_that_signs_in_and_survives_restarts()
    {
        // A folder of its own: the scratch folder's other SQLite silos keep their operator.credential beside their databases too.
        var folder = ScratchFolder.NewFile("");
        var store = new TestStore("sqlite", $"Data Source={Path.Combine(folder, "alerts.db")}");
        var clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..6];
        var settings = ProcessSettings.For(store.Provider, store.ConnectionString, clusterId);
        var (gatewayPort, siloPort) = (FreePorts.Next(), FreePorts.Next());
        var path = Path.Combine(folder, "operator.credential");
        Assert.False(File.Exists(path));

        var silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await silo.WaitForLineAsync(l => l.Contains($"Operator credential in {path}; the console reads it from there", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var operatorCredential = File.ReadAllText(path).Trim();
        Assert.StartsWith("operator:", operatorCredential);

        IssuedCredential gateway;
        await using (var console = await ConnectAsync(gatewayPort, clusterId, operatorCredential))
        {
            gateway = await console.GetGrain<IClientCredentialsGrain>(0).Create("gateway-1", [Roles.Gateway]);
            Assert.NotNull(await console.GetGrain<IPushHubGrain>(0).GetStats()); // the operator is an admin too
        }

        await using (var client = await ConnectAsync(gatewayPort, clusterId, gateway.Credential))
            Assert.Equal(0, (await client.GetGrain<IResidencyGrain>(0).Report([])).Applied);

        // Restart: the file is kept as it is, and both credentials still sign in.
        await silo.TerminateAsync();
        await silo.DisposeAsync();
        silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        Assert.Equal(operatorCredential, File.ReadAllText(path).Trim());
        await using (var console = await ConnectAsync(gatewayPort, clusterId, operatorCredential))
        {
            Assert.Contains(await console.GetGrain<IClientCredentialsGrain>(0).List(), c => c.Name == "gateway-1" && c.RevokedAt is null);
            // The operator revokes its own credential: the next start makes a new one rather than lock the console out.
            await console.GetGrain<IClientCredentialsGrain>(0).Revoke("operator");
        }

        await using (var client = await ConnectAsync(gatewayPort, clusterId, gateway.Credential))
            Assert.Equal(0, (await client.GetGrain<IResidencyGrain>(0).Report([])).Applied);

        await silo.TerminateAsync();
        await silo.DisposeAsync();
        await using var restarted = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        var renewed = File.ReadAllText(path).Trim();
        Assert.NotEqual(operatorCredential, renewed);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var stale = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync(gatewayPort, clusterId, operatorCredential));
        Assert.Contains("unknown client name or wrong secret", stale.Message);
        await using (var console = await ConnectAsync(gatewayPort, clusterId, renewed))
            Assert.Contains(await console.GetGrain<IClientCredentialsGrain>(0).List(), c => c.Name == "operator" && c.RevokedAt is null);
    }

    private static Task<AlertsClient> ConnectAsync(int gatewayPort, string clusterId, string credential) => AlertsClient.ConnectAsync(new AlertsClientOptions
    {
        ClusterId = clusterId,
        Gateways = [$"127.0.0.1:{gatewayPort}"],
        Credential = credential,
        ConnectAttempts = 1,
    });
}
