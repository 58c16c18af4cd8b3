using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// A gateway says how many batches it takes at once as it subscribes, and the hub hands it no more unacknowledged ones
/// than that (nor more than its own limit): batches do not wait inside a gateway past their acknowledgement timeout.
/// </summary>
public sealed class GatewayRoomTests
{
    private static readonly Dictionary<string, string?> SmallBatches = new() { ["Alerts:PushBatchSize"] = "10" };

    [Fact]
    public async Task A_gateway_with_room_for_two_is_handed_two_and_up_to_the_hubs_limit_once_it_subscribes_with_more()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        // Never acknowledges: what it was handed stays in flight.
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        var reference = silo.Grains.CreateObjectReference<IPushGateway>(gateway);
        await hub.Subscribe("gw", reference, maxInFlight: 2);

        await DeliveryTests.DispatchAsync(silo, "room-two", scatter: 300);
        await gateway.WaitForDeliveries(2);
        var stats = await hub.GetStats();
        Assert.True(stats.Pending > 8, $"the case must make more batches than the hub's own limit: {stats}");
        Assert.Equal((2, 2), (stats.InFlight, gateway.Deliveries));

        // A renewal with more room is handed more at once, up to MaxBatchesInFlightPerGateway (8).
        await hub.Subscribe("gw", reference, maxInFlight: 100);
        stats = await hub.GetStats();
        Assert.Equal(8, stats.InFlight);
        // Deliveries are one-way calls: the gateway gets them after the hub's turn.
        await gateway.WaitForDeliveries(8);
        Assert.Equal(8, gateway.Batches.Count);
    }

    [Fact]
    public async Task A_gateway_back_on_a_new_connection_with_less_room_is_sent_what_it_held_as_its_room_frees_and_nobody_else_gets_it()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var before = new RecordingGateway(silo.Grains, _ => false);
        var other = new RecordingGateway(silo.Grains);
        var otherReference = silo.Grains.CreateObjectReference<IPushGateway>(other);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(before));
        await hub.Subscribe("other", otherReference);
        var (done, expected) = await DeliveryTests.DispatchAsync(silo, "owed", scatter: 300);
        await before.WaitForDeliveries(8);
        await other.WaitForPushes(done.Recipients - before.Pushes.Count);
        var held = before.Batches.Select(b => b.BatchId).ToList();
        Assert.Equal((8, 0L), (await hub.GetStats()) is var full ? (full.InFlight, full.Resent) : default);

        // The gateway restarts with room for one: it is sent one of the eight it held, not all of them at once.
        var acknowledging = false;
        var after = new RecordingGateway(silo.Grains, _ => acknowledging);
        var afterReference = silo.Grains.CreateObjectReference<IPushGateway>(after);
        await hub.Subscribe("gw", afterReference, maxInFlight: 1);
        Assert.Equal((8, 1L), (await hub.GetStats()) is var owed ? (owed.InFlight, owed.Resent) : default);

        // Past the acknowledgement timeout only the one it was sent goes again: the others' time has not started.
        for (var second = 1; second <= 31; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            if (second % 10 == 0)
            {
                await hub.Subscribe("gw", afterReference, maxInFlight: 1);
                await hub.Subscribe("other", otherReference);
            }

            await hub.GetStats();
        }

        Assert.Equal((8, 2L), (await hub.GetStats()) is var timedOut ? (timedOut.InFlight, timedOut.Resent) : default);
        await after.WaitForDeliveries(2);

        // Acknowledging from now on, it takes the rest one by one as each acknowledgement frees its room.
        acknowledging = true;
        for (var second = 1; second <= 31; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
        }

        await after.WaitForPushes(before.Pushes.Count);
        Assert.Equal(held, after.Batches.Select(b => b.BatchId).ToList());
        Assert.DoesNotContain(other.Batches, b => held.Contains(b.BatchId));
        Assert.Equal(expected.Order(), other.Pushes.Concat(after.Pushes).Order());
        Assert.Equal((0, 0, 10L), (await hub.GetStats()) is var drained ? (drained.Pending, drained.InFlight, drained.Resent) : default);
    }

    [Fact]
    public async Task What_a_gateway_back_with_little_room_is_owed_goes_to_another_once_it_keeps_its_room_unacknowledged()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var before = new RecordingGateway(silo.Grains, _ => false);
        var other = new RecordingGateway(silo.Grains);
        var otherReference = silo.Grains.CreateObjectReference<IPushGateway>(other);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(before));
        await hub.Subscribe("other", otherReference);
        var (done, expected) = await DeliveryTests.DispatchAsync(silo, "owed-hung", scatter: 300);
        await before.WaitForDeliveries(8);
        await other.WaitForPushes(done.Recipients - before.Pushes.Count);
        var held = before.Batches.Select(b => b.BatchId).ToHashSet();

        // Back with room for one, its deliveries hanging: what it was sent goes to another after its resends (3 ack
        // timeouts), and what it is still owed after as long since the old connection sent it, not one such wait each.
        var afterReference = silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false));
        await hub.Subscribe("gw", afterReference, maxInFlight: 1);
        for (var second = 1; second <= 181; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            if (second % 10 == 0)
            {
                await hub.Subscribe("gw", afterReference, maxInFlight: 1);
                await hub.Subscribe("other", otherReference);
            }

            await hub.GetStats();
        }

        await other.WaitForPushes(done.Recipients);
        Assert.Equal(held, other.Batches.Select(b => b.BatchId).Where(held.Contains).ToHashSet());
        Assert.Equal(expected.Order(), other.Pushes.Order());
        Assert.Equal((0, 0, 2), (await hub.GetStats()) is var drained ? (drained.Pending, drained.InFlight, drained.Gateways) : default);
    }

    [Fact]
    public async Task A_gateway_that_keeps_coming_back_without_acknowledging_loses_what_it_held_to_another_after_its_resends()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var before = new RecordingGateway(silo.Grains, _ => false);
        var other = new RecordingGateway(silo.Grains);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(before));
        await hub.Subscribe("other", silo.Grains.CreateObjectReference<IPushGateway>(other));
        var (done, expected) = await DeliveryTests.DispatchAsync(silo, "crashing", scatter: 300);
        await before.WaitForDeliveries(8);
        await other.WaitForPushes(done.Recipients - before.Pushes.Count);
        var held = before.Batches.Select(b => b.BatchId).ToHashSet();

        // A gateway that crashes on what it is sent and restarts, well within an acknowledgement timeout: each new
        // connection is sent the eight again (its resends), and the fourth none of them: they go to the other gateway.
        for (var connection = 1; connection <= 4; connection++)
            await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false)));

        Assert.Equal(24L, (await hub.GetStats()).Resent);
        await other.WaitForPushes(done.Recipients);
        Assert.Equal(held, other.Batches.Select(b => b.BatchId).Where(held.Contains).ToHashSet());
        Assert.Equal(expected.Order(), other.Pushes.Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task A_gateway_without_room_is_refused_naming_the_field(int maxInFlight)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var reference = silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains));

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => hub.Subscribe("gw", reference, maxInFlight));

        Assert.Contains("maxInFlight", refused.Message);
        Assert.Equal(0, (await hub.GetStats()).Gateways);
    }
}
