using Alerts.Grains;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>At-least-once delivery to gateways: acks, redelivery, several gateways, none connected, flow control.</summary>
public sealed class DeliveryTests
{
    // Outbox tests record users directly, as a live case with no fatigue limit would.
    private static readonly RecordingRules NoRules = new(TestersOnly: false, MaxAlertsPerDay: 0);

    /// <summary>Residents around Shenzhen (ids unique to the case) and a case over them, dispatched.</summary>
    internal static async Task<(CaseProgress Done, HashSet<long> Expected)> DispatchAsync(AlertsSilo silo, string caseId, int scatter = 1_000)
    {
        var (lat, lon, radius) = (22.5431, 114.0579, 40_000.0);
        var residents = Population.Around(caseId.GetHashCode() & 0xFFFFF, lat, lon, radius, scatter, AlertsSilo.Epoch);
        residents = residents.Select((r, i) => r with { UserId = 1_000_000L * (Math.Abs(caseId.GetHashCode()) % 1000 + 1) + i }).ToList();
        await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
        var watcher = new ProgressWatcher();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>(caseId);
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "m", "https://a.example/x"));
        await caseGrain.Watch(silo.Grains.CreateObjectReference<ICaseObserver>(watcher));
        await Admins.ApproveAsync(caseGrain);
        try
        {
            return (await watcher.WaitFor(p => p.Status == CaseStatus.Active), Population.Inside(residents, lat, lon, radius));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("not dispatched: " + await caseGrain.GetProgress().WaitAsync(TimeSpan.FromSeconds(5)) + " " + await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats().WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    [Fact]
    public async Task An_unacknowledged_batch_is_sent_again_with_the_same_id()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        long? lost = null;
        // The acknowledgement of the very first delivery is lost; every later one (the repeat included) arrives.
        var gateway = new RecordingGateway(silo.Grains, batch =>
        {
            if (lost is not null) return true;
            lost = batch.BatchId;
            return false;
        });
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var (done, expected) = await DispatchAsync(silo, "redeliver", scatter: 500);
        await gateway.WaitForPushes(expected.Count);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var batches = gateway.Batches.Count;
        Assert.Equal((0, 1, 0L), (await hub.GetStats()) is var before ? (before.Pending, before.InFlight, before.Resent) : default);

        // Second by second past the 30 s ack timeout. After each step a call to the hub queues behind the
        // timer tick that step fired, so every check runs (and reads the clock) before the next step;
        // one 31 s jump would let a tick read the clock mid-jump and the later ticks be skipped as overlapping.
        for (var second = 0; second < 31; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
        }

        await gateway.WaitForDeliveries(batches + 1);
        var after = await hub.GetStats();
        Assert.Equal((0, 0, 1L, batches), (after.Pending, after.InFlight, after.Resent, (int)after.Acknowledged));
        Assert.Equal(batches, gateway.Batches.Count);
        Assert.Equal(expected.OrderBy(x => x), gateway.Pushes.OrderBy(x => x));
        Assert.Equal(done.Recipients, gateway.Pushes.Count);

        Assert.Equal(lost, gateway.Batches[0].BatchId);
    }

    [Fact]
    public async Task A_batch_unacknowledged_in_time_goes_again_to_the_gateway_holding_it_and_to_another_only_after_its_resends()
    {
        // With several gateways, a batch resent to another one would be pushed twice if the first delivered it slowly:
        // the gateway holding it drops its repeats, another knows nothing of it.
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var holding = new RecordingGateway(silo.Grains, _ => false);
        var other = new RecordingGateway(silo.Grains);
        var (holdingReference, otherReference) = (silo.Grains.CreateObjectReference<IPushGateway>(holding), silo.Grains.CreateObjectReference<IPushGateway>(other));
        await hub.Subscribe("holding", holdingReference);
        await hub.Subscribe("other", otherReference);
        var (done, expected) = await DispatchAsync(silo, "sticky", scatter: 2_000);
        await holding.WaitForDeliveries(8);
        await other.WaitForPushes(done.Recipients - holding.Pushes.Count);
        var held = holding.Batches.Select(b => b.BatchId).ToHashSet();

        // Second by second, both renewing their leases, with a hub call after each step so every check runs on its clock.
        async Task AdvanceAsync(int seconds)
        {
            for (var second = 1; second <= seconds; second++)
            {
                silo.Time.Advance(TimeSpan.FromSeconds(1));
                if (second % 10 == 0)
                {
                    await hub.Subscribe("holding", holdingReference);
                    await hub.Subscribe("other", otherReference);
                }

                await hub.GetStats();
            }
        }

        await AdvanceAsync(31);
        await holding.WaitForDeliveries(16);
        Assert.Equal((8, 8L), (await hub.GetStats()) is var resent ? (resent.InFlight, resent.Resent) : default);
        Assert.DoesNotContain(other.Batches, b => held.Contains(b.BatchId));

        // Unacknowledged through its resends (4 ack timeouts): then another gateway takes those batches, and the holder,
        // still renewing, stays subscribed.
        await AdvanceAsync(90);
        await other.WaitForPushes(done.Recipients);
        Assert.Equal(held, other.Batches.Where(b => held.Contains(b.BatchId)).Select(b => b.BatchId).ToHashSet());
        Assert.Equal(expected.OrderBy(x => x), other.Pushes.OrderBy(x => x));
        Assert.Equal((0, 0, 2), (await hub.GetStats()) is var after ? (after.Pending, after.InFlight, after.Gateways) : default);
        // The holder got the batches four times (one-way calls: waited for), never a fifth.
        await holding.WaitForDeliveries(32);
        Assert.Equal(32, holding.Deliveries);
    }

    [Fact]
    public async Task An_acknowledged_batch_whose_delete_failed_is_deleted_by_the_sweep_and_not_sent_again()
    {
        var (silo, hub, gateway, delivered) = await AcknowledgedButStoredAsync("ack-lost-delete");
        await using (silo)
        {
            // Past a sweep interval, second by second with a hub call after each step: the sweep finds the rows.
            for (var second = 0; second <= 10; second++)
            {
                silo.Time.Advance(TimeSpan.FromSeconds(1));
                await hub.GetStats();
            }

            Assert.Equal(0, await OutboxRowsAsync(silo));
            Assert.Equal(delivered.Count, gateway.Deliveries);
            Assert.Equal((0, 0), (await hub.GetStats()) is var stats ? (stats.Pending, stats.InFlight) : default);
        }
    }

    [Fact]
    public async Task A_withdrawal_leaves_the_users_of_an_acknowledged_batch_whose_delete_failed_as_reached()
    {
        var (silo, _, gateway, delivered) = await AcknowledgedButStoredAsync("ack-lost-withdraw");
        await using (silo)
        {
            // Those users have the alert: none is taken off the case's recipients (they get its correction), the rows go.
            Assert.Equal(0, await silo.Grains.GetGrain<IPushOutboxGrain>(0).Withdraw("ack-lost-withdraw"));
            Assert.Equal(0, await OutboxRowsAsync(silo));
            Assert.Equal(delivered.Count, gateway.Deliveries);
        }
    }

    // A case's batches all delivered and acknowledged, but the acknowledgement's delete refused by the database: the hub
    // has taken them as acknowledged, the rows stay.
    private static async Task<(AlertsSilo Silo, IPushHubGrain Hub, RecordingGateway Gateway, List<long> Delivered)> AcknowledgedButStoredAsync(string caseId)
    {
        // Room for every batch of the case at once, so all are delivered before any is acknowledged.
        var settings = new Dictionary<string, string?> { ["Alerts:MaxBatchesInFlightPerGateway"] = "1000" };
        var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: settings);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var (done, _) = await DispatchAsync(silo, caseId, scatter: 200);
        await gateway.WaitForPushes(done.Recipients);
        var delivered = gateway.Batches.Select(b => b.BatchId).ToList();
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync("CREATE TRIGGER refuse_outbox_deletes BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'deletes refused'); END");
        await Assert.ThrowsAnyAsync<Exception>(() => hub.Acknowledge(delivered));
        await connection.ExecuteAsync("DROP TRIGGER refuse_outbox_deletes");
        Assert.Equal(delivered.Count, await OutboxRowsAsync(silo));
        return (silo, hub, gateway, delivered);
    }

    private static async Task<long> OutboxRowsAsync(AlertsSilo silo)
    {
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM push_outbox");
    }

    [Fact]
    public async Task A_gateway_that_never_acknowledges_holds_only_a_bounded_number_of_batches()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("slow", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        var (done, _) = await DispatchAsync(silo, "slow", scatter: 2_000);
        // The case is recorded before the hub hands its batches out: wait for eight, then see that no ninth comes.
        await gateway.WaitForDeliveries(8);
        var stats = await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.True(done.Recipients > 8 * 50, "the case must need more than eight batches");
        Assert.Equal(8, stats.InFlight);
        Assert.Equal(8, gateway.Deliveries);
        Assert.True(stats.Pending > 0);
    }

    [Fact]
    public async Task Batches_are_spread_over_gateways_and_a_departed_gateways_batches_go_to_the_others()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var silent = new RecordingGateway(silo.Grains, _ => false);
        var silentReference = silo.Grains.CreateObjectReference<IPushGateway>(silent);
        var working = new RecordingGateway(silo.Grains);
        await hub.Subscribe("silent", silentReference);
        await hub.Subscribe("working", silo.Grains.CreateObjectReference<IPushGateway>(working));
        var (done, expected) = await DispatchAsync(silo, "spread", scatter: 2_000);
        // Both gateways get batches (the hub hands them out after the case has recorded them).
        await Task.WhenAll(silent.WaitForDeliveries(1), working.WaitForDeliveries(1));

        // The silent gateway goes away (it stops renewing its lease); the working one renews every 10 s.
        // When the silent one's lease lapses, its unacknowledged batches go to the working one. Second by
        // second, with a hub call after each step so every check runs on the clock that step set.
        silo.Grains.DeleteObjectReference<IPushGateway>(silentReference);
        var workingReference = silo.Grains.CreateObjectReference<IPushGateway>(working);
        await hub.Subscribe("working", workingReference);
        for (var second = 1; second <= 61; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            if (second % 10 == 0) await hub.Subscribe("working", workingReference);
            await hub.GetStats();
        }

        await working.WaitForPushes(done.Recipients);
        Assert.Equal(expected.OrderBy(x => x), working.Pushes.OrderBy(x => x));
        Assert.Equal((0, 0, 1), (await hub.GetStats()) is var s ? (s.Pending, s.InFlight, s.Gateways) : default);
    }

    [Fact]
    public async Task Two_live_connections_under_one_name_do_not_take_it_from_each_other_and_the_second_takes_over_when_the_first_stops()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var first = new RecordingGateway(silo.Grains, _ => false);
        var second = new RecordingGateway(silo.Grains);
        var firstReference = silo.Grains.CreateObjectReference<IPushGateway>(first);
        var secondReference = silo.Grains.CreateObjectReference<IPushGateway>(second);
        await hub.Subscribe("gateway", firstReference);
        var (done, expected) = await DispatchAsync(silo, "one-name", scatter: 2_000);
        await first.WaitForDeliveries(1);

        // A second process with the same name: it takes the name (it could be the first one restarted) and the batches
        // the first held. The first renewing then is refused, naming the name, and does not take them back.
        await hub.Subscribe("gateway", secondReference);
        await second.WaitForPushes(done.Recipients);
        var refused = await Assert.ThrowsAsync<WrongStateException>(() => hub.Subscribe("gateway", firstReference));
        Assert.StartsWith("gateway name \"gateway\" is held by another live connection", refused.Message);
        Assert.Equal(1, (await hub.GetStats()).Gateways);
        var deliveriesToFirst = first.Deliveries;

        // The second stops renewing: once its lease lapses the name is free, and the first may hold it again.
        for (var s = 1; s <= 61; s++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
        }

        Assert.Equal(0, (await hub.GetStats()).Gateways);
        await hub.Subscribe("gateway", firstReference);
        Assert.Equal(1, (await hub.GetStats()).Gateways);
        Assert.Equal(deliveriesToFirst, first.Deliveries);
        Assert.Equal(expected.OrderBy(x => x), second.Pushes.OrderBy(x => x));
    }

    [Fact]
    public async Task A_gateway_that_leaves_hands_its_unacknowledged_batches_to_the_others_at_once()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var leaving = new RecordingGateway(silo.Grains, _ => false);
        var leavingReference = silo.Grains.CreateObjectReference<IPushGateway>(leaving);
        await hub.Subscribe("leaving", leavingReference);
        var (done, expected) = await DispatchAsync(silo, "leaving", scatter: 2_000);
        await leaving.WaitForDeliveries(1);

        // A connection the name's holder replaced cannot end the holder's subscription.
        var replaced = silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false));
        await hub.Unsubscribe("leaving", replaced);
        Assert.Equal(1, (await hub.GetStats()).Gateways);

        // The holder leaves: no clock moves, yet everything it held reaches the gateway that stays.
        var staying = new RecordingGateway(silo.Grains);
        await hub.Subscribe("staying", silo.Grains.CreateObjectReference<IPushGateway>(staying));
        await hub.Unsubscribe("leaving", leavingReference);
        await staying.WaitForPushes(done.Recipients);
        Assert.Equal(expected.OrderBy(x => x), staying.Pushes.OrderBy(x => x));
        Assert.Equal((0, 0, 1), (await hub.GetStats()) is var s ? (s.Pending, s.InFlight, s.Gateways) : default);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task With_no_gateway_batches_wait_durably_and_go_out_after_a_restart(string provider)
    {
        var storage = StorageKind.Fresh(provider);
        HashSet<long> expected;
        CaseProgress done;
        await using (var silo = await AlertsSilo.StartAsync(storage))
        {
            (done, expected) = await DispatchAsync(silo, "waiting", scatter: 500);
            Assert.True((await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats()).Pending > 0);
        }

        await using var again = await AlertsSilo.StartAsync(storage);
        var gateway = new RecordingGateway(again.Grains);
        await again.Grains.GetGrain<IPushHubGrain>(0).Subscribe("late", again.Grains.CreateObjectReference<IPushGateway>(gateway));
        await gateway.WaitForPushes(expected.Count);
        Assert.Equal(expected.OrderBy(x => x), gateway.Pushes.OrderBy(x => x));
        Assert.Equal(done.Recipients, gateway.Pushes.Count);
    }

    [Fact]
    public async Task A_batch_written_to_the_outbox_but_never_handed_to_the_hub_is_found_and_sent()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var gateway = await silo.SubscribeGatewayAsync();
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        await hub.GetStats();

        // As if the case's silo died between committing the batch and handing it over.
        var payload = new AlertPayload("orphan", "m", "https://a.example/x");
        var written = await silo.Cases.RecordRecipientsAsync("orphan", payload, [11, 12, 13], 50, AlertsSilo.Epoch, NoRules);
        Assert.Single(written.Batches);
        Assert.Equal(0, (await hub.GetStats()).Pending + (await hub.GetStats()).InFlight);

        // The sweep runs on the grains' clock every OutboxSweepInterval (10 s).
        await PassSecondsAsync(silo, hub, 10);

        await gateway.WaitForPushes(3);
        Assert.Equal([11L, 12L, 13L], gateway.Pushes.Order());
        Assert.Equal(written.Batches[0].BatchId, Assert.Single(gateway.Batches).BatchId);
    }

    [Fact]
    public async Task A_user_erased_before_their_batch_reaches_the_hub_is_not_pushed_from_it_nor_left_in_the_outbox()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var gateway = await silo.SubscribeGatewayAsync();
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var outbox = silo.Grains.GetGrain<IPushOutboxGrain>(0);
        await hub.GetStats();

        // A batch recorded whose hand-over is still on its way when the user is erased: its row loses them at once.
        var late = await silo.Cases.RecordRecipientsAsync("erased-late", new AlertPayload("erased-late", "m", "https://a.example/x"), [31, 32], 50, AlertsSilo.Epoch, NoRules);
        await outbox.EraseUser(31);
        Assert.DoesNotContain(await OutboxUsersAsync(silo), ids => ids.Contains(31));

        // A batch whose commit landed after the erasure (its step had collected the user before), found by the sweep,
        // and the first batch's hand-over arriving with the user still in it: neither pushes them.
        await silo.Cases.RecordRecipientsAsync("erased-swept", new AlertPayload("erased-swept", "m", "https://a.example/y"), [31, 33], 50, AlertsSilo.Epoch, NoRules);
        await outbox.Enqueue(late.Batches);
        await PassSecondsAsync(silo, hub, 10);

        await gateway.WaitForPushes(2);
        Assert.Equal([32L, 33L], gateway.Pushes.Order());
        Assert.DoesNotContain(await OutboxUsersAsync(silo), ids => ids.Contains(31));

        // Minutes later the user is back under the same id (a new install reporting again): a case reaches them as anyone.
        await PassSecondsAsync(silo, hub, (int)PushHubGrain.ErasedUsersKeptOut.TotalSeconds - 10 + 1);
        await silo.RenewAsync(gateway); // its lease ran out on the way
        var back = await silo.Cases.RecordRecipientsAsync("erased-back", new AlertPayload("erased-back", "m", "https://a.example/z"), [31], 50, silo.Time.GetUtcNow(), NoRules);
        await outbox.Enqueue(back.Batches);
        await gateway.WaitForPushes(3);
        Assert.Equal([31L, 32L, 33L], gateway.Pushes.Order());
    }

    private static async Task<List<List<long>>> OutboxUsersAsync(AlertsSilo silo)
    {
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        return (await connection.QueryAsync<string>("SELECT user_ids FROM push_outbox")).Select(OutboxStore.ParseIds).ToList();
    }

    [Fact]
    public async Task A_batch_the_sweep_found_first_is_not_pushed_again_when_its_late_hand_over_arrives()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var gateway = await silo.SubscribeGatewayAsync();
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        await hub.GetStats();
        var written = await silo.Cases.RecordRecipientsAsync("slow-hand-over", new AlertPayload("slow-hand-over", "m", "https://a.example/x"), [21, 22], 50, AlertsSilo.Epoch, NoRules);
        await PassSecondsAsync(silo, hub, 10);

        // The recording gateway signals only once the hub has answered its acknowledgement.
        await gateway.WaitForPushes(2);
        Assert.Equal(1, (await hub.GetStats()).Acknowledged);

        // The case's Enqueue, delayed behind the sweep in the hub's queue, arrives after the batch was acknowledged.
        await silo.Grains.GetGrain<IPushOutboxGrain>(0).Enqueue(written.Batches);
        var stats = await hub.GetStats();
        Assert.Equal((0, 0, 1L), (stats.Pending, stats.InFlight, stats.Acknowledged));
        Assert.Equal(1, gateway.Deliveries);
    }

    [Fact]
    public async Task The_sweep_leaves_a_batch_younger_than_its_interval_to_its_hand_over()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var gateway = await silo.SubscribeGatewayAsync();
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        await hub.GetStats();
        silo.Time.Advance(TimeSpan.FromSeconds(9));
        await silo.Cases.RecordRecipientsAsync("young", new AlertPayload("young", "m", "https://a.example/x"), [31], 50, silo.Time.GetUtcNow(), NoRules);

        // The first sweep (10 s after the hub started) sees a batch one second old: it may still be on its way.
        silo.Time.Advance(TimeSpan.FromSeconds(1));
        var afterFirstSweep = await hub.GetStats();
        Assert.Equal((0, 0), (afterFirstSweep.Pending, afterFirstSweep.InFlight));

        // The next sweep, ten seconds later, takes it: nothing handed it over in a whole interval.
        await PassSecondsAsync(silo, hub, 10);

        await gateway.WaitForPushes(1);
        Assert.Equal([31L], gateway.Pushes);
    }

    // Second by second, so every timer due on the way fires in order; each call lets the hub run them.
    private static async Task PassSecondsAsync(AlertsSilo silo, IPushHubGrain hub, int seconds)
    {
        for (var second = 0; second < seconds; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
        }
    }
}
