using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>One silo and one client per role, each holding that role alone (named "as-&lt;role&gt;"), shared by the access tests.</summary>
public sealed class RealGrainAccessFixture : IAsyncLifetime
{
    public AlertsSilo Silo { get; private set; } = null!;

    public Dictionary<string, AlertsClient> Clients { get; } = new();

    public async Task InitializeAsync()
    {
        var hash = ProcessSettings.TesterHash; // every client's secret is ProcessSettings.Secret
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < Roles.All.Count; i++)
        {
            settings[$"Alerts:Security:Clients:{10 + i}:Name"] = $"as-{Roles.All[i]}";
            settings[$"Alerts:Security:Clients:{10 + i}:SecretHash"] = hash;
            settings[$"Alerts:Security:Clients:{10 + i}:Roles:0"] = Roles.All[i];
        }

        Silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: settings);
        foreach (var role in Roles.All)
        {
            Clients[role] = await AlertsClient.ConnectAsync(new AlertsClientOptions
            {
                ClusterId = Silo.Cluster.ClusterId,
                Gateways = [$"127.0.0.1:{Silo.Cluster.GatewayPort}"],
                Credential = $"as-{role}:{ProcessSettings.Secret}",
            });
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients.Values) await client.DisposeAsync();
        await Silo.DisposeAsync();
    }
}

/// <summary>
/// Every real grain interface called by real clients of each role against a real silo: what each role
/// may do is allowed, everything else is refused before the grain runs, and silo-only interfaces refuse all.
/// </summary>
/// <remarks>
/// One silo for the whole matrix: a silo and seven clients for each of its cases, on a loaded two-core machine, once
/// took over 25 s to connect a client and failed cases that had nothing to do with access (2026-12-01). What one
/// allowed call changes cannot change another's verdict: refusals come before the grain runs, and an allowed call
/// may fail on its arguments or state.
/// </remarks>
public sealed class RealGrainAccessTests(RealGrainAccessFixture fixture) : IClassFixture<RealGrainAccessFixture>
{
    private readonly AlertsSilo _silo = fixture.Silo;
    private readonly Dictionary<string, AlertsClient> _clients = fixture.Clients;

    // Who may read cases, their engagement and the statistics.
    private static readonly string[] Readers = [Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin];

    /// <summary>One call per interface and per method-level rule, the roles it allows, and how to make it.</summary>
    private static readonly (string Call, string[] Allowed, Func<IGrainFactory, Task> Make)[] Calls =
    [
        ("residency.Report", [Roles.Gateway], g => g.GetGrain<IResidencyGrain>(0).Report([])),
        ("residency.SetOptOut", [Roles.Gateway, Roles.Admin], g => g.GetGrain<IResidencyGrain>(0).SetOptOut(7, true)),
        ("residency.Erase", [Roles.Gateway, Roles.Admin], g => g.GetGrain<IResidencyGrain>(0).Erase(7)),
        ("residency.SetTester", [Roles.Gateway, Roles.Admin], g => g.GetGrain<IResidencyGrain>(0).SetTester(7, true)),
        ("residency.Settle", [Roles.Operator, Roles.Admin], g => g.GetGrain<IResidencyGrain>(0).Settle()),
        ("audit-log.Read", [Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin, Roles.Operator], g => g.GetGrain<IAuditLogGrain>(0).Read(null, 0, 10)),
        ("push-hub.Acknowledge", [Roles.Gateway], g => g.GetGrain<IPushHubGrain>(0).Acknowledge([])),
        ("push-hub.Subscribe", [Roles.Gateway], g => g.GetGrain<IPushHubGrain>(0).Subscribe("as-gateway", null!, 1)),
        ("push-hub.Unsubscribe", [Roles.Gateway], g => g.GetGrain<IPushHubGrain>(0).Unsubscribe("as-gateway", null!)),
        ("push-hub.GetStats", [Roles.Gateway, .. Readers], g => g.GetGrain<IPushHubGrain>(0).GetStats()),
        ("push-hub.GetCaseDelivery", [Roles.Gateway, .. Readers], g => g.GetGrain<IPushHubGrain>(0).GetCaseDelivery("matrix")),
        ("case-index.List", Readers, g => g.GetGrain<ICaseIndexGrain>(0).List(null, 10)),
        ("stats.Get", Readers, g => g.GetGrain<IStatsGrain>(0).Get()),
        ("case.GetProgress", Readers, g => g.GetGrain<ICaseGrain>("matrix").GetProgress()),
        ("case.GetRecord", Readers, g => g.GetGrain<ICaseGrain>("matrix-none").GetRecord()),
        ("case.Open", [Roles.Liaison, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Open(null!)),
        ("case.Submit", [Roles.Liaison, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Submit()),
        ("case.Update", [Roles.Liaison, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Update("new")),
        ("case.Cancel", [Roles.Liaison, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Cancel("test")),
        ("case.Approve", [Roles.Approver, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Approve()),
        ("case.Reject", [Roles.Approver, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Reject("no")),
        ("case.Widen", [Roles.Approver, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Widen(200_000)),
        ("case.Extend", [Roles.Approver, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Extend(TimeSpan.FromHours(1))),
        ("case.Resolve", [Roles.Approver, Roles.Admin], g => g.GetGrain<ICaseGrain>("matrix-none").Resolve(null)),
        ("cell.Count", [], g => g.GetGrain<ICellGrain>(Geo.Geohash.Encode(22.5, 114.0, 5).Packed).Count()),
        ("user-directory.Erase", [], g => g.GetGrain<IUserDirectoryGrain>(0).Erase(7)),
        ("active-cases.ForCell", [], g => g.GetGrain<IActiveCasesGrain>(0).ForCell(Geo.Geohash.Encode(22.5, 114.0, 5).Packed)),
        ("case-dispatch.Resume", [], g => g.GetGrain<ICaseDispatchGrain>("matrix").Resume()),
        ("push-outbox.EraseUser", [], g => g.GetGrain<IPushOutboxGrain>(0).EraseUser(7)),
        ("engagement.Report", [Roles.Gateway], g => g.GetGrain<IEngagementGrain>(0).Report([])),
        ("case-engagement.GetStats", Readers, g => g.GetGrain<ICaseEngagementGrain>("matrix-none").GetStats()),
        ("case-engagement.ListSightings", Readers, g => g.GetGrain<ICaseEngagementGrain>("matrix").ListSightings(10)),
        ("case-engagement.GetSharerReach", Readers, g => g.GetGrain<ICaseEngagementGrain>("matrix").GetSharerReach(7)),
        ("engagement-shard.Record", [], g => g.GetEngagementShard("matrix", 0).Record([])),
        ("client-credentials.List", [Roles.Operator], g => g.GetGrain<IClientCredentialsGrain>(0).List()),
        ("client-credentials.Revoke", [Roles.Operator], g => g.GetGrain<IClientCredentialsGrain>(0).Revoke("nobody")),
    ];

    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var (call, _, _) in Calls)
            foreach (var role in Roles.All) data.Add(call, role);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_may_make_exactly_the_calls_its_interfaces_allow(string call, string role)
    {
        var (_, allowed, make) = Calls.Single(c => c.Call == call);
        var grains = _clients[role].Cluster;
        if (allowed.Contains(role))
        {
            try
            {
                await make(grains);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
            {
                // The grain ran and judged the arguments: the call was let through.
            }
        }
        else
        {
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => make(grains));
            Assert.Contains(allowed.Length == 0 ? "only grains may call" : "needs", refused.Message);
        }
    }

    [Fact]
    public async Task A_client_with_a_wrong_secret_cannot_connect()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsClient.ConnectAsync(new AlertsClientOptions
        {
            ClusterId = _silo.Cluster.ClusterId,
            Gateways = [$"127.0.0.1:{_silo.Cluster.GatewayPort}"],
            Credential = "as-gateway:wrong",
            ConnectAttempts = 1,
        }));
        Assert.Contains("unknown client name or wrong secret", error.Message);
    }
}
