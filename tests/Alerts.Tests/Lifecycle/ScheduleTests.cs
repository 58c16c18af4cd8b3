using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>The widening schedule: each ring fires on time through a durable reminder, across a restart, reaching only users newly inside.</summary>
public sealed class ScheduleTests
{
    private static readonly WideningRing[] Tuanyuan = [new(TimeSpan.FromHours(1), 20_000), new(TimeSpan.FromHours(2), 30_000)];

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Each_ring_fires_on_time_also_after_a_restart_and_reaches_only_the_users_newly_inside(string provider)
    {
        var store = StorageKind.Fresh(provider);
        var time = new ManualTimeProvider(AlertsSilo.Epoch);
        List<PushBatch> before;
        await using (var silo = await AlertsSilo.StartAsync(store, time))
        {
            // Ten users in each band: inside 10 km, 10–20 km, 20–30 km, beyond 30 km.
            await Around.ReportAsync(silo, [.. Around.Ring(1, 10, 5_000), .. Around.Ring(11, 10, 15_000), .. Around.Ring(21, 10, 25_000), .. Around.Ring(31, 10, 35_000)]);
            var gateway = await silo.SubscribeGatewayAsync();
            await silo.DispatchAsync("rings", Admins.Case(Around.Lat, Around.Lon, 10_000) with { Rings = Tuanyuan });
            await gateway.WaitForPushes(10);
            var caseGrain = silo.Grains.GetGrain<ICaseGrain>("rings");

            // The reminder is due exactly at the first ring, not at the next periodic tick.
            var reminders = silo.Services.GetRequiredService<IReminderTable>();
            var reminder = await reminders.ReadRow(caseGrain.GetGrainId(), "rings");
            Assert.Equal((AlertsSilo.Epoch + TimeSpan.FromHours(1)).UtcDateTime, reminder!.StartAt);

            // A tick a minute early changes nothing; on time, the first ring widens to 20 km.
            time.Advance(TimeSpan.FromMinutes(59));
            await TickAsync(silo);
            Assert.Equal(10_000, (await caseGrain.GetProgress()).RadiusMeters);
            time.Advance(TimeSpan.FromMinutes(1));
            // An hour without renewing: the gateway's lease ran out on the manual clock, as a real one would renew it.
            await silo.RenewAsync(gateway);
            await TickAsync(silo);
            Assert.Equal(20_000, (await silo.DispatchedAsync("rings")).RadiusMeters);
            await gateway.WaitForPushes(20);
            Assert.Equal(1, (await caseGrain.GetRecord()).RingsFired);
            Assert.Equal((AlertsSilo.Epoch + TimeSpan.FromHours(2)).UtcDateTime, (await reminders.ReadRow(caseGrain.GetGrainId(), "rings"))!.StartAt);
            before = gateway.Batches;
        }

        // The silo goes down; the second ring's time comes while it is up again.
        time.Advance(TimeSpan.FromHours(1));
        await using var again = await AlertsSilo.StartAsync(store, time);
        var second = await again.SubscribeGatewayAsync();
        await TickAsync(again);
        var wide = await again.DispatchedAsync("rings");
        Assert.Equal(30_000, wide.RadiusMeters);
        Assert.Equal(30, wide.Recipients);
        await second.WaitForPushes(10);
        var all = before.Concat(second.Batches).DistinctBy(b => b.BatchId).SelectMany(b => b.UserIds).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), all.Order());
        Assert.Equal(2, (await again.Grains.GetGrain<ICaseGrain>("rings").GetRecord()).RingsFired);
        Assert.Null(await again.Services.GetRequiredService<IReminderTable>().ReadRow(again.Grains.GetGrain<ICaseGrain>("rings").GetGrainId(), "rings"));
        var audit = await again.Grains.GetGrain<IAuditLogGrain>(0).Read("rings", 0, 100);
        Assert.Equal(2, audit.Count(e => e.Action == "case.ring" && e.Actor == "silo"));
    }

    [Fact]
    public async Task A_case_that_ends_before_its_rings_drops_them()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await silo.DispatchAsync("ended", Admins.Case(Around.Lat, Around.Lon, 10_000) with { Rings = Tuanyuan });
        using (Admins.As(Admins.Filer)) await silo.Grains.GetGrain<ICaseGrain>("ended").Resolve(null);
        Assert.Null(await silo.Services.GetRequiredService<IReminderTable>().ReadRow(silo.Grains.GetGrain<ICaseGrain>("ended").GetGrainId(), "rings"));
        silo.Time.Advance(TimeSpan.FromHours(3));
        await TickAsync(silo, "ended");
        var record = await silo.Grains.GetGrain<ICaseGrain>("ended").GetRecord();
        Assert.Equal((CaseStatus.Resolved, 10_000.0, 0), (record.Status, record.RadiusMeters, record.RingsFired));
    }

    // Orleans delivers ticks on its own schedule (its reminder list refreshes every few minutes): the test drives the tick.
    private static Task TickAsync(AlertsSilo silo, string caseId = "rings") =>
        silo.Grains.GetGrain<ICaseGrain>(caseId).AsReference<IRemindable>()
            .ReceiveReminder("rings", new TickStatus(silo.Time.GetUtcNow().UtcDateTime, TimeSpan.FromMinutes(1), silo.Time.GetUtcNow().UtcDateTime));
}
