using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>An embedded silo process on fresh SQLite storage for the gateway tests, and how to reach it.</summary>
public sealed class GatewaySilo
{
    private GatewaySilo(Dictionary<string, string?> settings, string clusterId, int gatewayPort, int siloPort)
    {
        Settings = settings;
        ClusterId = clusterId;
        GatewayPort = gatewayPort;
        SiloPort = siloPort;
    }

    /// <summary>The silo's settings (change them before <see cref="StartAsync"/>).</summary>
    public Dictionary<string, string?> Settings { get; }

    public string ClusterId { get; }

    public int GatewayPort { get; }

    public int SiloPort { get; }

    /// <summary>Fresh storage, a fresh cluster id and fixed ports, so a restart comes back where clients look.</summary>
    public static GatewaySilo Fresh()
    {
        var store = StorageKind.Fresh("sqlite");
        var clusterId = "gw-" + Guid.NewGuid().ToString("N")[..6];
        return new GatewaySilo(ProcessSettings.For(store.Provider, store.ConnectionString, clusterId), clusterId, FreePorts.Next(), FreePorts.Next());
    }

    /// <summary>Starts (or restarts) the process on the same ports and the same SQLite file.</summary>
    public Task<SiloProcess> StartAsync() => SiloProcess.StartAsync(Settings, "embedded", GatewayPort, SiloPort);

    /// <summary>Options for a gateway connection named <paramref name="name"/> under the tester's credential ("tester/gw-1").</summary>
    public GatewayConnectionOptions Gateway(string name = "gw-1") => new()
    {
        Name = ProcessSettings.GatewayName(name),
        Cluster = new AlertsClientOptions { ClusterId = ClusterId, Gateways = [$"127.0.0.1:{GatewayPort}"], Credential = ProcessSettings.Credential },
    };

    /// <summary>A client with both roles (opens cases, reads the hub's counters).</summary>
    public Task<AlertsClient> AdminAsync() => ProcessSettings.ConnectAsync(ClusterId, GatewayPort);

    /// <summary>Approves a case as the second admin.</summary>
    public Task<CaseProgress> ApproveAsync(string caseId) => ProcessSettings.ApproveAsync(ClusterId, GatewayPort, caseId);
}
