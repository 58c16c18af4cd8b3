using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// A long report whose later call fails says how far it got: the index to send again from, what the answered calls
/// gave (their rejections and share tokens at the caller's index), and the failure inside; a first call's failure is
/// thrown as it is.
/// </summary>
public sealed class ReportInterruptionTests
{
    private static GatewayConnectionOptions Options(AlertsSilo silo) => new()
    {
        Name = ProcessSettings.GatewayName("gw-parts"),
        Cluster = new AlertsClientOptions { ClusterId = silo.Cluster.ClusterId, Gateways = [$"127.0.0.1:{silo.Cluster.GatewayPort}"], Credential = ProcessSettings.Credential },
        UpdatesPerCall = 100,
        EngagementEventsPerCall = 4,
    };

    [Fact]
    public async Task A_location_report_that_fails_in_its_third_call_says_that_the_first_two_were_applied()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var gateway = await GatewayConnection.ConnectAsync(Options(silo), (_, _) => Task.CompletedTask);
        var updates = Enumerable.Range(1, 250).Select(i => new LocationUpdate(i, 22.5 + i * 0.001, 114.0, AlertsSilo.Epoch)).ToList();
        updates[5] = updates[5] with { Latitude = 91 };
        // The database refuses the third call's users (ids above 200), as a full disk refuses every write.
        await silo.ExecuteAsync("CREATE TRIGGER refuse_late_users BEFORE INSERT ON residents WHEN NEW.user_id > 200 BEGIN SELECT RAISE(ABORT, 'positions refused'); END");

        var interrupted = await Assert.ThrowsAsync<ReportInterruptedException<IngestResult>>(() => gateway.ReportAsync(updates));
        Assert.Equal((200, 250), (interrupted.Reported, interrupted.Total));
        Assert.Equal((199, 0, 1), (interrupted.Answered.Applied, interrupted.Answered.Ignored, interrupted.Answered.Rejected));
        Assert.Equal(5, Assert.Single(interrupted.Answered.Rejections).Index);
        Assert.Contains("positions refused", interrupted.InnerException!.Message);
        Assert.StartsWith("the report was interrupted after 200 of its 250 items were taken (send it again from index 200)", interrupted.Message);

        // Sent again from there once the database takes them, the rest are applied and the first two calls' users stay.
        await silo.ExecuteAsync("DROP TRIGGER refuse_late_users");
        var rest = await gateway.ReportAsync(updates.Skip(interrupted.Reported).ToList());
        Assert.Equal(50, rest.Applied + rest.Ignored);
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        Assert.Equal(249, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM residents"));
    }

    [Fact]
    public async Task A_report_whose_first_call_fails_throws_that_failure_as_it_is()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var gateway = await GatewayConnection.ConnectAsync(Options(silo), (_, _) => Task.CompletedTask);
        await silo.ExecuteAsync("CREATE TRIGGER refuse_positions BEFORE INSERT ON residents BEGIN SELECT RAISE(ABORT, 'positions refused'); END");
        var updates = Enumerable.Range(1, 250).Select(i => new LocationUpdate(i, 22.5, 114.0, AlertsSilo.Epoch)).ToList();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => gateway.ReportAsync(updates));
        Assert.IsNotAssignableFrom<ReportInterruptedException>(failure);
        Assert.Contains("positions refused", failure.Message);
    }

    [Fact]
    public async Task An_engagement_report_that_fails_in_its_second_call_keeps_the_first_calls_share_tokens()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        await using var gateway = await GatewayConnection.ConnectAsync(Options(s.Silo), (_, _) => Task.CompletedTask);
        var (sharer, refusedUser) = (s.Recipients[0], s.Recipients[5]);
        List<EngagementEvent> events =
        [
            EngagementEvent.Delivered(s.CaseId, s.Recipients[1], s.Now),
            EngagementEvent.Shared(s.CaseId, sharer, s.Now, ShareChannel.Group),
            EngagementEvent.Delivered(s.CaseId, s.Recipients[2], s.Now),
            EngagementEvent.Delivered(s.CaseId, s.Recipients[3], s.Now),
            EngagementEvent.Delivered(s.CaseId, s.Recipients[4], s.Now),
            EngagementEvent.Delivered(s.CaseId, refusedUser, s.Now),
        ];
        await s.Silo.ExecuteAsync($"CREATE TRIGGER refuse_delivery BEFORE INSERT ON engagement_deliveries WHEN NEW.user_id = {refusedUser} BEGIN SELECT RAISE(ABORT, 'deliveries refused'); END");

        var interrupted = await Assert.ThrowsAsync<ReportInterruptedException<EngagementResult>>(() => gateway.ReportEngagementAsync(events));
        Assert.Equal((4, 6), (interrupted.Reported, interrupted.Total));
        Assert.Equal(4, interrupted.Answered.Counted);
        var share = Assert.Single(interrupted.Answered.Shares);
        Assert.Equal(1, share.Index);
        Assert.Contains("deliveries refused", interrupted.InnerException!.ToString());

        // The token works: an open through it is attributed to the sharer.
        await s.Silo.ExecuteAsync("DROP TRIGGER refuse_delivery");
        var rest = await gateway.ReportEngagementAsync([.. events.Skip(interrupted.Reported), EngagementEvent.Opened(s.CaseId, s.Outsiders[0], s.Now, share.Token)]);
        Assert.Equal(3, rest.Counted);
        Assert.Equal(new SharerReach(sharer, 1, 1), await s.Case.GetSharerReach(sharer));
    }
}
