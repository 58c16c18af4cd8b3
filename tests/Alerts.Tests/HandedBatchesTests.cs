using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// Batches one push hub activation handed to a gateway count as handed for the next one: a withdrawal after a restart
/// (a crash between hand-over and acknowledgement) leaves their users as reached, owed the correction, and a gateway's
/// late acknowledgement of them is taken, so they are not pushed again.
/// </summary>
public sealed class HandedBatchesTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Alerts:PushBatchSize"] = "5" };

    [Fact]
    public async Task A_withdrawal_after_the_hub_restarted_keeps_the_users_of_batches_the_earlier_activation_handed()
    {
        const string caseId = "handed-restart";
        var store = StorageKind.Fresh("sqlite");
        var handed = await HandEightBatchesAsync(store, caseId);

        // A new hub activation, on a silo with no gateway yet: nothing is handed out before the withdrawal.
        await using var second = await AlertsSilo.StartAsync(store, settings: Settings);
        await using var connection = await second.Services.GetRequiredService<StoreEngine>().OpenAsync();
        var mark = await connection.ExecuteScalarAsync<long>("SELECT value FROM meta WHERE key = 'outbox_handed_through'");
        Assert.InRange(mark, handed.Max(b => b.BatchId), handed.Max(b => b.BatchId) + PushHubGrain.HandedMarkAhead);
        var stored = (await connection.QueryAsync<(long BatchId, string UserIds)>("SELECT batch_id, user_ids FROM push_outbox")).ToList();
        var pastMark = stored.Where(b => b.BatchId > mark).Sum(b => b.UserIds.Split(',').Length);
        Assert.True(pastMark > 0, "the case must have batches past the mark, which no activation handed");

        var withdrawn = await second.Grains.GetGrain<IPushOutboxGrain>(0).Withdraw(caseId);

        // Only batches past the mark are withdrawn; the handed ones, on phones perhaps, stay with their users as reached.
        Assert.Equal(pastMark, withdrawn);
        var recipients = (await connection.QueryAsync<long>("SELECT user_id FROM case_recipients WHERE case_id = @caseId", new { caseId })).ToHashSet();
        Assert.All(handed.SelectMany(b => b.UserIds), user => Assert.Contains(user, recipients));
        var left = (await connection.QueryAsync<long>("SELECT batch_id FROM push_outbox")).ToHashSet();
        Assert.All(handed, batch => Assert.Contains(batch.BatchId, left));
    }

    [Fact]
    public async Task After_the_hub_restarted_a_gateway_credential_acknowledges_what_the_earlier_activation_handed_so_it_is_not_pushed_again()
    {
        var store = StorageKind.Fresh("sqlite");
        // The gateway delivers eight batches, and the hub goes down before their acknowledgements reach it.
        var handed = (await HandEightBatchesAsync(store, "handed-acknowledged")).Select(b => b.BatchId).ToList();

        await using var second = await AlertsSilo.StartAsync(store, settings: Settings);
        await using var connection = await second.Services.GetRequiredService<StoreEngine>().OpenAsync();
        var mark = await connection.ExecuteScalarAsync<long>("SELECT value FROM meta WHERE key = 'outbox_handed_through'");
        var stored = (await connection.QueryAsync<long>("SELECT batch_id FROM push_outbox")).ToList();
        var neverHanded = stored.Where(id => id > mark).Min();

        // The gateway's library sends the acknowledgements again, now to the new activation, which knows no holder of those
        // batches (holders live in the activation's memory; only the mark is durable). Until 2026-12-02 they were refused
        // as another gateway's, and the batches handed out again: their users pushed twice if another gateway took them.
        // A batch past the mark, which no activation handed, is still refused: nobody can have delivered it.
        await using var client = await second.ConnectClientAsync();
        await client.GetGrain<IPushHubGrain>(0).Acknowledge([.. handed, neverHanded]);
        var hub = second.Grains.GetGrain<IPushHubGrain>(0);
        Assert.Equal(handed.Count, (await hub.GetStats()).Acknowledged);
        var left = (await connection.QueryAsync<long>("SELECT batch_id FROM push_outbox")).ToHashSet();
        Assert.All(handed, id => Assert.DoesNotContain(id, left));
        Assert.Contains(neverHanded, left);

        // A gateway subscribing now is handed the rest, and none of those again.
        var next = await second.SubscribeGatewayAsync("gw-next");
        await next.WaitForDeliveries(left.Count);
        Assert.Equal(left.Order(), next.Batches.Select(b => b.BatchId).Order());
    }

    // A first silo dispatches the case to a gateway that never acknowledges: it holds eight batches, the rest wait in the
    // outbox; then the silo (and the hub's activation) goes.
    private static async Task<List<PushBatch>> HandEightBatchesAsync(TestStore store, string caseId)
    {
        await using var first = await AlertsSilo.StartAsync(store, settings: Settings);
        var gateway = new RecordingGateway(first.Grains, _ => false);
        await first.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", first.Grains.CreateObjectReference<IPushGateway>(gateway));
        await DeliveryTests.DispatchAsync(first, caseId, scatter: 2_000);
        await gateway.WaitForDeliveries(8);
        return gateway.Batches.ToList();
    }

    [Fact]
    public async Task Nothing_is_handed_out_while_the_mark_cannot_be_written_and_delivery_resumes_once_it_can()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync("""
            CREATE TRIGGER refuse_mark_insert BEFORE INSERT ON meta WHEN NEW.key = 'outbox_handed_through' BEGIN SELECT RAISE(ABORT, 'mark refused'); END;
            CREATE TRIGGER refuse_mark_update BEFORE UPDATE ON meta WHEN NEW.key = 'outbox_handed_through' BEGIN SELECT RAISE(ABORT, 'mark refused'); END;
            """);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var gateway = new RecordingGateway(silo.Grains);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));

        var (done, _) = await DeliveryTests.DispatchAsync(silo, "mark-refused", scatter: 200);

        // Recorded and queued, but not handed out, and the gateway is not blamed for it.
        var stats = await hub.GetStats();
        Assert.Equal((0, 0, 1), (gateway.Deliveries, stats.InFlight, stats.Gateways));
        Assert.True(stats.Pending > 0);

        await connection.ExecuteAsync("DROP TRIGGER refuse_mark_insert; DROP TRIGGER refuse_mark_update;");
        silo.Time.Advance(TimeSpan.FromSeconds(1));
        await gateway.WaitForPushes(done.Recipients);
        Assert.Equal(done.Recipients, gateway.Pushes.Count);
    }
}
