using System.Data.Common;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// An acknowledgement whose outbox delete failed is made good when the gateway sends it again (its library retries a
/// failed one), and by the hub itself at its next check, so the batches' rows do not outlive it and a restarted hub does
/// not push them a second time.
/// </summary>
public sealed class AcknowledgedBatchesTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Alerts:PushBatchSize"] = "50" };

    [Fact]
    public async Task A_retried_acknowledgement_deletes_the_rows_a_failed_one_left_so_a_restarted_hub_pushes_none_again()
    {
        var store = StorageKind.Fresh("sqlite");
        await using (var silo = await AlertsSilo.StartAsync(store, settings: Settings))
        {
            await using var refused = await AcknowledgeWhileRefusedAsync(silo, "ack-retry");
            Assert.Equal(refused.BatchIds.Count, await refused.RowsAsync());

            await refused.AcceptDeletesAsync();
            await refused.Hub.Acknowledge(refused.BatchIds);

            Assert.Equal(0, await refused.RowsAsync());
            // Counted once, though acknowledged twice.
            Assert.Equal(refused.BatchIds.Count, (await refused.Hub.GetStats()).Acknowledged);
        }

        await AssertNothingLeftToPushAsync(store);
    }

    [Fact]
    public async Task Rows_a_failed_acknowledgement_left_are_deleted_by_the_hubs_next_check_though_the_gateway_never_retries()
    {
        var store = StorageKind.Fresh("sqlite");
        await using (var silo = await AlertsSilo.StartAsync(store, settings: Settings))
        {
            await using var refused = await AcknowledgeWhileRefusedAsync(silo, "ack-lost");
            // A check while the database still refuses leaves the rows for the next try.
            Assert.Equal(refused.BatchIds.Count, await refused.RowsAfterSecondAsync(silo));

            // The database takes deletes again; the gateway has given up on that acknowledgement. The hub's next try (a
            // second after the refused one) deletes the rows, before the sweep (every 10 s) comes.
            await refused.AcceptDeletesAsync();
            Assert.Equal(0, await refused.RowsAfterSecondAsync(silo));
        }

        await AssertNothingLeftToPushAsync(store);
    }

    [Fact]
    public async Task While_the_database_keeps_refusing_the_hub_tries_those_deletes_less_and_less_often()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: Settings);
        await using var refused = await AcknowledgeWhileRefusedAsync(silo, "ack-backoff");

        // Refused at the checks of seconds 1, 2 and 4 (waits of 1, 2, then 4 s), so the next try is at second 8.
        for (var second = 1; second <= 5; second++) Assert.Equal(refused.BatchIds.Count, await refused.RowsAfterSecondAsync(silo));
        await refused.AcceptDeletesAsync();
        Assert.Equal(refused.BatchIds.Count, await refused.RowsAfterSecondAsync(silo));
        Assert.Equal(refused.BatchIds.Count, await refused.RowsAfterSecondAsync(silo));
        Assert.Equal(0, await refused.RowsAfterSecondAsync(silo));
    }

    // A case's batches all pushed to a gateway that leaves acknowledging to the test, then their acknowledgement, which
    // fails: a trigger makes the database refuse to delete outbox rows (until AcceptDeletesAsync drops it).
    private static async Task<RefusedAcknowledgement> AcknowledgeWhileRefusedAsync(AlertsSilo silo, string caseId)
    {
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var (done, _) = await DeliveryTests.DispatchAsync(silo, caseId, scatter: 200);
        await gateway.WaitForPushes(done.Recipients);
        var batchIds = gateway.Batches.Select(b => b.BatchId).ToList();
        Assert.True(batchIds.Count > 1, "the case must make several batches");
        var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync("CREATE TRIGGER refuse_outbox_delete BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'delete refused'); END;");
        await Assert.ThrowsAnyAsync<Exception>(() => hub.Acknowledge(batchIds));
        return new RefusedAcknowledgement(hub, batchIds, connection);
    }

    // The next activation reads the outbox: nothing of the case is left to push.
    private static async Task AssertNothingLeftToPushAsync(TestStore store)
    {
        await using var restarted = await AlertsSilo.StartAsync(store, settings: Settings);
        var stats = await restarted.Grains.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.Equal((0, 0), (stats.Pending, stats.InFlight));
    }

    private sealed record RefusedAcknowledgement(IPushHubGrain Hub, List<long> BatchIds, DbConnection Connection) : IAsyncDisposable
    {
        public async Task<long> RowsAsync() => await Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox");

        // A second on the hub's clock, and a call that queues behind the check it fired: the rows left after that check.
        public async Task<long> RowsAfterSecondAsync(AlertsSilo silo)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await Hub.GetStats();
            return await RowsAsync();
        }

        public Task AcceptDeletesAsync() => Connection.ExecuteAsync("DROP TRIGGER refuse_outbox_delete");

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
