using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>The gateway library's engagement reports through a real client: split into calls the grain takes, indices in the caller's list; admins read the figures through a real client.</summary>
public sealed class GatewayEngagementTests
{
    [Fact]
    public async Task A_report_of_12000_events_is_split_and_each_rejection_and_share_keeps_the_callers_index()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        await using var gateway = await GatewayConnection.ConnectAsync(new GatewayConnectionOptions
        {
            Cluster = { ClusterId = s.Silo.Cluster.ClusterId, Gateways = [$"127.0.0.1:{s.Silo.Cluster.GatewayPort}"], Credential = ProcessSettings.Credential },
            Name = ProcessSettings.GatewayName("engagement-gw"),
        }, (_, _) => Task.CompletedTask);
        var t = s.Now;
        var n = s.Recipients.Count;
        var events = Enumerable.Range(0, 12_000).Select(i => EngagementEvent.Delivered(s.CaseId, s.Recipients[i % n], t)).ToList();
        events[3] = events[3] with { UserId = 0 };
        events[10_004] = EngagementEvent.Opened(s.CaseId, s.Outsiders[0], t);
        events[10_500] = EngagementEvent.Shared(s.CaseId, s.Recipients[0], t, ShareChannel.Group);

        var result = await gateway.ReportEngagementAsync(events);

        Assert.Equal((n + 1, 1, 1), (result.Counted, result.Refused, result.Rejected));
        Assert.Equal(12_000 - 3 - n, result.Repeated);
        Assert.Equal([(3, "userId", false), (10_004, "userId", true)], result.Rejections.Select(r => (r.Index, r.Field, r.Refused)));
        var share = Assert.Single(result.Shares);
        Assert.Equal((10_500, 1), (share.Index, share.Generation));

        // The token the gateway got back brings a stranger in.
        var opened = await gateway.ReportEngagementAsync([EngagementEvent.Opened(s.CaseId, 9_000_001, t, share.Token)]);
        Assert.Equal(1, opened.Counted);

        await using var admin = await s.Silo.ConnectClientAsync();
        var stats = await admin.GetGrain<ICaseEngagementGrain>(s.CaseId).GetStats();
        Assert.Equal((n, n, 1L, 1L, 1L, 1L), (stats.Pushed, stats.Delivered, stats.Opened, stats.Shares, stats.OpensThroughShares, stats.Refused));
        Assert.Equal(1, stats.SharesByChannel.Group);
    }
}
