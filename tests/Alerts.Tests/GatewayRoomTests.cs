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
    public async Task A_draining_renewal_keeps_the_lease_is_handed_nothing_new_and_subscribes_nobody_else()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        var reference = silo.Grains.CreateObjectReference<IPushGateway>(gateway);
        await hub.Subscribe("gw", reference, maxInFlight: 2);
        await DeliveryTests.DispatchAsync(silo, "draining", scatter: 300);
        await gateway.WaitForDeliveries(2);
        var waiting = (await hub.GetStats()).Pending;

        // Closing: renewals with no room, past the lease (a minute). It stays subscribed with the two it holds.
        for (var second = 0; second <= 61; second++)
        {
            if (second % 10 == 0) Assert.True(await hub.Subscribe("gw", reference, maxInFlight: 0) > TimeSpan.Zero);
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
        }

        Assert.Equal((1, 2, waiting), (await hub.GetStats()) is var kept ? (kept.Gateways, kept.InFlight, kept.Pending) : default);
        // Its deliveries finish: acknowledged, they free room it is not handed anything into.
        await hub.Acknowledge(gateway.Batches.Select(b => b.BatchId).ToList());
        Assert.Equal((1, 0, waiting), (await hub.GetStats()) is var freed ? (freed.Gateways, freed.InFlight, freed.Pending) : default);

        // A draining renewal from a connection that holds no name subscribes nothing, and says it renewed nothing.
        Assert.Equal(TimeSpan.Zero, await hub.Subscribe("closing", silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains)), maxInFlight: 0));
        Assert.Equal(1, (await hub.GetStats()).Gateways);
    }

    [Fact]
    public async Task A_subscription_with_room_that_reaches_the_hub_after_the_draining_renewal_hands_the_closing_gateway_nothing_new()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        var reference = silo.Grains.CreateObjectReference<IPushGateway>(gateway);
        await hub.Subscribe("gw", reference, maxInFlight: 2);
        await DeliveryTests.DispatchAsync(silo, "late-renewal", scatter: 300);
        await gateway.WaitForDeliveries(2);
        var waiting = (await hub.GetStats()).Pending;

        // Closing: the draining renewal, then its deliveries' acknowledgements; then the keeping loop's renewal, sent
        // before disposal began but held up on its way (waiting for a sign-in, say), arrives.
        await hub.Subscribe("gw", reference, maxInFlight: 0);
        await hub.Acknowledge(gateway.Batches.Select(b => b.BatchId).ToList());
        Assert.True(await hub.Subscribe("gw", reference, maxInFlight: 2) > TimeSpan.Zero);

        Assert.Equal((1, 0, waiting), (await hub.GetStats()) is var after ? (after.Gateways, after.InFlight, after.Pending) : default);
        Assert.Equal(2, gateway.Deliveries);
    }

    [Fact]
    public async Task A_subscription_that_reaches_the_hub_after_its_connection_left_is_refused_and_hands_it_nothing()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var reference = silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false));
        await hub.Subscribe("gw", reference, maxInFlight: 2);
        await hub.Unsubscribe("gw", reference);
        await DeliveryTests.DispatchAsync(silo, "after-leaving", scatter: 300);
        var waiting = (await hub.GetStats()).Pending;

        // A renewal sent before the connection left, held up on its way.
        var refused = await Assert.ThrowsAsync<WrongStateException>(() => hub.Subscribe("gw", reference, maxInFlight: 2));

        Assert.Contains("\"gw\"", refused.Message);
        Assert.Equal((0, 0, waiting), (await hub.GetStats()) is var after ? (after.Gateways, after.InFlight, after.Pending) : default);
        // Its name is free for a new connection.
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false)), maxInFlight: 2);
        Assert.Equal((1, 2), (await hub.GetStats()) is var taken ? (taken.Gateways, taken.InFlight) : default);
    }

    [Fact]
    public async Task A_restarted_gateway_is_not_sent_what_its_draining_predecessor_still_delivers_until_that_one_leaves()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var closing = new RecordingGateway(silo.Grains, _ => false);
        var closingReference = silo.Grains.CreateObjectReference<IPushGateway>(closing);
        await hub.Subscribe("gw", closingReference, maxInFlight: 2);
        await DeliveryTests.DispatchAsync(silo, "restart-while-draining", scatter: 300);
        await closing.WaitForDeliveries(2);
        var (finished, unfinished) = (closing.Batches[0].BatchId, closing.Batches[1].BatchId);

        // The old instance drains its two deliveries while its successor starts under the same name: sent to the
        // successor now, they would reach their users twice.
        await hub.Subscribe("gw", closingReference, maxInFlight: 0);
        var successor = new RecordingGateway(silo.Grains, _ => false);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(successor), maxInFlight: 2);
        Assert.Equal((1, 2, 0L), (await hub.GetStats()) is var taken ? (taken.Gateways, taken.InFlight, taken.Resent) : default);

        // One delivery finishes: the successor is handed a new batch in the room it frees. The old instance leaves
        // without finishing the other, which goes to the successor at once.
        await hub.Acknowledge([finished]);
        await successor.WaitForDeliveries(1);
        await hub.Unsubscribe("gw", closingReference);
        await successor.WaitForDeliveries(2);

        Assert.Contains(unfinished, successor.Batches.Select(b => b.BatchId));
        Assert.DoesNotContain(finished, successor.Batches.Select(b => b.BatchId));
        Assert.Equal((1, 2, 1L), (await hub.GetStats()) is var left ? (left.Gateways, left.InFlight, left.Resent) : default);
    }

    [Fact]
    public async Task What_a_draining_predecessor_never_acknowledges_goes_to_its_successor_after_the_ack_timeout()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var closing = new RecordingGateway(silo.Grains, _ => false);
        var closingReference = silo.Grains.CreateObjectReference<IPushGateway>(closing);
        await hub.Subscribe("gw", closingReference, maxInFlight: 2);
        await DeliveryTests.DispatchAsync(silo, "predecessor-hangs", scatter: 300);
        await closing.WaitForDeliveries(2);
        await hub.Subscribe("gw", closingReference, maxInFlight: 0);
        var successor = new RecordingGateway(silo.Grains, _ => false);
        var successorReference = silo.Grains.CreateObjectReference<IPushGateway>(successor);
        await hub.Subscribe("gw", successorReference, maxInFlight: 2);

        // Its deliveries hang and it never leaves: past the ack timeout (30 s) the successor holds them.
        for (var second = 1; second <= 31; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            if (second % 10 == 0) await hub.Subscribe("gw", successorReference, maxInFlight: 2);
            await hub.GetStats();
        }

        await successor.WaitForDeliveries(2);
        Assert.Equal(closing.Batches.Select(b => b.BatchId), successor.Batches.Select(b => b.BatchId));
        Assert.Equal((1, 2, 2L), (await hub.GetStats()) is var after ? (after.Gateways, after.InFlight, after.Resent) : default);
    }

    [Fact]
    public async Task A_draining_renewal_from_a_connection_whose_name_was_taken_over_says_it_renewed_nothing()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var replaced = silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains));
        await hub.Subscribe("gw", replaced, maxInFlight: 2);
        // A restarted gateway under the same name takes it over while the first one closes.
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains)), maxInFlight: 2);

        Assert.Equal(TimeSpan.Zero, await hub.Subscribe("gw", replaced, maxInFlight: 0));
        Assert.Equal(1, (await hub.GetStats()).Gateways);
    }

    [Theory]
    [InlineData(-1)]
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
