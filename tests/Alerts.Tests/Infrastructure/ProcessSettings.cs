using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>Settings for silo processes in the end-to-end tests: a test client with both roles, a fixed signing key, short leases.</summary>
public static class ProcessSettings
{
    /// <summary>The secret of every client the tests configure (at least ClientSecret.MinimumLength characters).</summary>
    public const string Secret = "s3cret-of-the-tests";

    /// <summary>The credential the tests' clients sign in with.</summary>
    public const string Credential = "tester:" + Secret;

    /// <summary>The second admin's credential (the two-person rule: the tester files, the approver approves).</summary>
    public const string ApproverCredential = "approver:" + Secret;

    /// <summary>A push-hub subscription name the tester's credential owns: "tester/<paramref name="instance"/>".</summary>
    public static string GatewayName(string instance) => $"tester{GatewayNames.Separator}{instance}";

    private static readonly Lazy<string> Hash = new(() => CredentialHash.Create(Secret));

    /// <summary>The hash of the tester's secret, made once per test run.</summary>
    public static string TesterHash => Hash.Value;

    /// <summary>Settings every silo process of a test shares.</summary>
    public static Dictionary<string, string?> For(string provider, string connectionString, string clusterId) => new()
    {
        ["Alerts:Cluster:Provider"] = provider,
        ["Alerts:Cluster:ConnectionString"] = connectionString,
        ["Alerts:Cluster:ClusterId"] = clusterId,
        ["Alerts:Cluster:Dashboard"] = "false",
        ["Alerts:Security:SigningKey"] = AlertsSilo.SigningKey,
        ["Alerts:Engagement:ShareKey"] = AlertsSilo.ShareKey,
        ["Alerts:Security:Clients:0:Name"] = "tester",
        ["Alerts:Security:Clients:0:SecretHash"] = TesterHash,
        ["Alerts:Security:Clients:0:Roles:0"] = Roles.Gateway,
        ["Alerts:Security:Clients:0:Roles:1"] = Roles.Admin,
        ["Alerts:Security:Clients:1:Name"] = "approver",
        ["Alerts:Security:Clients:1:SecretHash"] = TesterHash,
        ["Alerts:Security:Clients:1:Roles:0"] = Roles.Admin,
        ["Alerts:PushBatchSize"] = "50",
        ["Alerts:GatewayLease"] = "00:00:03",
        // A push sent while a restarted silo does not yet know the way back to a client is lost silently (calls
        // to observers are one-way) and goes out again after AckTimeout: 10 s, not 30, keeps such tests short.
        ["Alerts:AckTimeout"] = "00:00:10",
        ["Alerts:DispatchRetryDelay"] = "00:00:01",
        ["Alerts:OutboxSweepInterval"] = "00:00:02",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Alerts"] = "Information",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
    };

    /// <summary>A client of the embedded silo listening on <paramref name="gatewayPort"/>.</summary>
    public static Task<AlertsClient> ConnectAsync(string clusterId, int gatewayPort, string credential = Credential) => AlertsClient.ConnectAsync(new AlertsClientOptions
    {
        ClusterId = clusterId,
        Gateways = [$"127.0.0.1:{gatewayPort}"],
        Credential = credential,
    });

    /// <summary>A client that finds the cluster's gateways in its membership table.</summary>
    public static Task<AlertsClient> ConnectThroughMembershipAsync(string clusterId, string connectionString, string credential = Credential) => AlertsClient.ConnectAsync(new AlertsClientOptions
    {
        ClusterId = clusterId,
        MembershipConnectionString = connectionString,
        Credential = credential,
    });

    /// <summary>Approves a case as the second admin through a client of its own (the two-person rule).</summary>
    public static async Task<CaseProgress> ApproveAsync(string clusterId, int gatewayPort, string caseId)
    {
        await using var approver = await ConnectAsync(clusterId, gatewayPort, ApproverCredential);
        return await approver.GetGrain<ICaseGrain>(caseId).Approve();
    }

    /// <summary>The same, finding the cluster through its membership table.</summary>
    public static async Task<CaseProgress> ApproveThroughMembershipAsync(string clusterId, string connectionString, string caseId)
    {
        await using var approver = await ConnectThroughMembershipAsync(clusterId, connectionString, ApproverCredential);
        return await approver.GetGrain<ICaseGrain>(caseId).Approve();
    }
}
