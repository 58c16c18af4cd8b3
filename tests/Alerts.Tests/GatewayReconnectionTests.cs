using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// A gateway back on a new connection under its name is owed what its old one held: sent as its new room allows and
/// to nobody else, unless it keeps them unacknowledged (hung deliveries, or a crash at each delivery) past their resends.
/// </summary>
public sealed class GatewayReconnectionTests
{
    private static readonly Dictionary<string, string?> SmallBatches = new() { ["Alerts:PushBatchSize"] = "10" };

    [Fact]
    public async Task A_gateway_back_with_less_room_is_sent_what_it_held_as_its_room_frees_and_nobody_else_gets_it()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var held = await HoldEightAsync(silo, "owed");
        Assert.Equal((8, 0L), (await held.Hub.GetStats()) is var full ? (full.InFlight, full.Resent) : default);

        // The gateway restarts with room for one: it is sent one of the eight it held, not all of them at once.
        var acknowledging = false;
        var after = new RecordingGateway(silo.Grains, _ => Volatile.Read(ref acknowledging));
        var afterReference = silo.Grains.CreateObjectReference<IPushGateway>(after);
        await held.Hub.Subscribe("gw", afterReference, maxInFlight: 1);
        Assert.Equal((8, 1L), (await held.Hub.GetStats()) is var owed ? (owed.InFlight, owed.Resent) : default);

        // Past the acknowledgement timeout only the one it was sent goes again: the others' time has not started.
        await AdvanceAsync(silo, held, afterReference, seconds: 31);
        Assert.Equal((8, 2L), (await held.Hub.GetStats()) is var timedOut ? (timedOut.InFlight, timedOut.Resent) : default);
        await after.WaitForDeliveries(2);

        // Acknowledging from now on, it takes the rest one by one as each acknowledgement frees its room.
        Volatile.Write(ref acknowledging, true);
        await AdvanceAsync(silo, held, afterReference, seconds: 31);
        await after.WaitForPushes(held.Users);
        Assert.Equal(held.BatchIds, after.Batches.Select(b => b.BatchId).ToList());
        Assert.DoesNotContain(held.Other.Batches, b => held.BatchIds.Contains(b.BatchId));
        Assert.Equal(held.Expected.Order(), held.Other.Pushes.Concat(after.Pushes).Order());
        Assert.Equal((0, 0, 10L), (await held.Hub.GetStats()) is var drained ? (drained.Pending, drained.InFlight, drained.Resent) : default);
    }

    [Fact]
    public async Task What_a_gateway_back_with_little_room_is_owed_goes_to_another_once_it_keeps_its_room_unacknowledged()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var held = await HoldEightAsync(silo, "owed-hung");

        // Back with room for one, its deliveries hanging: what it was sent goes to another after its resends (3 ack
        // timeouts), and what it is still owed after as long since the old connection sent it, not one such wait each.
        var afterReference = silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false));
        await held.Hub.Subscribe("gw", afterReference, maxInFlight: 1);
        await AdvanceAsync(silo, held, afterReference, seconds: 181);

        await held.Other.WaitForPushes(held.Recipients);
        Assert.Equal(held.BatchIds.ToHashSet(), held.Other.Batches.Select(b => b.BatchId).Where(held.BatchIds.Contains).ToHashSet());
        Assert.Equal(held.Expected.Order(), held.Other.Pushes.Order());
        Assert.Equal((0, 0, 2), (await held.Hub.GetStats()) is var drained ? (drained.Pending, drained.InFlight, drained.Gateways) : default);
    }

    [Fact]
    public async Task A_gateway_that_keeps_coming_back_without_acknowledging_loses_what_it_held_to_another_after_its_resends()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: SmallBatches);
        var held = await HoldEightAsync(silo, "crashing");

        // A gateway that crashes on what it is sent and restarts, well within an acknowledgement timeout: each new
        // connection is sent the eight again (its resends), and the fourth none of them: they go to the other gateway.
        for (var connection = 1; connection <= 4; connection++)
            await held.Hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(new RecordingGateway(silo.Grains, _ => false)));

        Assert.Equal(24L, (await held.Hub.GetStats()).Resent);
        await held.Other.WaitForPushes(held.Recipients);
        Assert.Equal(held.BatchIds.ToHashSet(), held.Other.Batches.Select(b => b.BatchId).Where(held.BatchIds.Contains).ToHashSet());
        Assert.Equal(held.Expected.Order(), held.Other.Pushes.Order());
    }

    // A case's batches with gateway "gw" holding eight of them unacknowledged (its hub limit) and "other" having
    // acknowledged the rest.
    private static async Task<HeldBatches> HoldEightAsync(AlertsSilo silo, string caseId)
    {
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        var holding = new RecordingGateway(silo.Grains, _ => false);
        var other = new RecordingGateway(silo.Grains);
        var otherReference = silo.Grains.CreateObjectReference<IPushGateway>(other);
        await hub.Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(holding));
        await hub.Subscribe("other", otherReference);
        var (done, expected) = await DeliveryTests.DispatchAsync(silo, caseId, scatter: 300);
        await holding.WaitForDeliveries(8);
        await other.WaitForPushes(done.Recipients - holding.Pushes.Count);
        return new HeldBatches(hub, other, otherReference, done.Recipients, expected, holding.Batches.Select(b => b.BatchId).ToList(), holding.Pushes.Count);
    }

    // Second by second, both gateways renewing every 10 s, with a hub call after each step so every check runs on its clock.
    private static async Task AdvanceAsync(AlertsSilo silo, HeldBatches held, IPushGateway gateway, int seconds)
    {
        for (var second = 1; second <= seconds; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            if (second % 10 == 0)
            {
                await held.Hub.Subscribe("gw", gateway, maxInFlight: 1);
                await held.Hub.Subscribe("other", held.OtherReference);
            }

            await held.Hub.GetStats();
        }
    }

    private sealed record HeldBatches(IPushHubGrain Hub, RecordingGateway Other, IPushGateway OtherReference, long Recipients, HashSet<long> Expected, List<long> BatchIds, int Users);
}
