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
    [Fact]
    public async Task A_retried_acknowledgement_deletes_the_rows_a_failed_one_left_so_a_restarted_hub_pushes_none_again()
    {
        var store = StorageKind.Fresh("sqlite");
        var settings = new Dictionary<string, string?> { ["Alerts:PushBatchSize"] = "50" };
        await using (var silo = await AlertsSilo.StartAsync(store, settings: settings))
        {
            var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
            // A gateway that leaves the acknowledging to the test.
            var gateway = new RecordingGateway(silo.Grains, _ => false);
            await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
            var (done, _) = await DeliveryTests.DispatchAsync(silo, "ack-retry", scatter: 200);
            await gateway.WaitForPushes(done.Recipients);
            var batchIds = gateway.Batches.Select(b => b.BatchId).ToList();
            Assert.True(batchIds.Count > 1, "the case must make several batches");

            await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
            await connection.ExecuteAsync("CREATE TRIGGER refuse_outbox_delete BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'delete refused'); END;");
            await Assert.ThrowsAnyAsync<Exception>(() => hub.Acknowledge(batchIds));
            Assert.Equal(batchIds.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox"));

            await connection.ExecuteAsync("DROP TRIGGER refuse_outbox_delete");
            await hub.Acknowledge(batchIds);

            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox"));
            // Counted once, though acknowledged twice.
            Assert.Equal(batchIds.Count, (await hub.GetStats()).Acknowledged);
        }

        // The next activation reads the outbox: nothing of the case is left to push.
        await using var second = await AlertsSilo.StartAsync(store, settings: settings);
        var restarted = await second.Grains.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.Equal((0, 0), (restarted.Pending, restarted.InFlight));
    }

    [Fact]
    public async Task Rows_a_failed_acknowledgement_left_are_deleted_by_the_hubs_next_check_though_the_gateway_never_retries()
    {
        var store = StorageKind.Fresh("sqlite");
        var settings = new Dictionary<string, string?> { ["Alerts:PushBatchSize"] = "50" };
        await using (var silo = await AlertsSilo.StartAsync(store, settings: settings))
        {
            var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
            var gateway = new RecordingGateway(silo.Grains, _ => false);
            await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
            var (done, _) = await DeliveryTests.DispatchAsync(silo, "ack-lost", scatter: 200);
            await gateway.WaitForPushes(done.Recipients);
            var batchIds = gateway.Batches.Select(b => b.BatchId).ToList();

            await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
            await connection.ExecuteAsync("CREATE TRIGGER refuse_outbox_delete BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'delete refused'); END;");
            await Assert.ThrowsAnyAsync<Exception>(() => hub.Acknowledge(batchIds));
            // A check while the database still refuses leaves the rows for the next one.
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
            Assert.Equal(batchIds.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox"));

            // The database takes deletes again; the gateway has given up on that acknowledgement. The hub's next check
            // (every second) deletes the rows, before the sweep (every 10 s) comes.
            await connection.ExecuteAsync("DROP TRIGGER refuse_outbox_delete");
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox"));
        }

        await using var second = await AlertsSilo.StartAsync(store, settings: settings);
        var restarted = await second.Grains.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.Equal((0, 0), (restarted.Pending, restarted.InFlight));
    }

    [Fact]
    public async Task While_the_database_keeps_refusing_the_hub_tries_those_deletes_less_and_less_often()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: new() { ["Alerts:PushBatchSize"] = "50" });
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var (done, _) = await DeliveryTests.DispatchAsync(silo, "ack-backoff", scatter: 200);
        await gateway.WaitForPushes(done.Recipients);
        var batchIds = gateway.Batches.Select(b => b.BatchId).ToList();
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync("CREATE TRIGGER refuse_outbox_delete BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'delete refused'); END;");
        await Assert.ThrowsAnyAsync<Exception>(() => hub.Acknowledge(batchIds));

        async Task<long> RowsAfterSecondAsync()
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox");
        }

        // Refused at the checks of seconds 1, 2 and 4 (waits of 1, 2, then 4 s), so the next try is at second 8.
        for (var second = 1; second <= 5; second++) Assert.Equal(batchIds.Count, await RowsAfterSecondAsync());
        await connection.ExecuteAsync("DROP TRIGGER refuse_outbox_delete");
        Assert.Equal(batchIds.Count, await RowsAfterSecondAsync());
        Assert.Equal(batchIds.Count, await RowsAfterSecondAsync());
        Assert.Equal(0, await RowsAfterSecondAsync());
    }
}
