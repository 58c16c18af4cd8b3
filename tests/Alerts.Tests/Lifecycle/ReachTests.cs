using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Who a case may reach: a drill only testers, marked as a test; a live case nobody over the alert-fatigue limit, counted as suppressed.</summary>
public sealed class ReachTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_drill_reaches_only_testers_marked_as_a_test_and_never_counts_toward_fatigue(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new() { ["Alerts:MaxAlertsPerUserPerDay"] = "1" });
        await Around.ReportAsync(silo, Around.Ring(1, 20, 3_000));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        foreach (var tester in new long[] { 3, 7, 11 }) await residency.SetTester(tester, true);
        await residency.SetTester(11, false);
        var gateway = await silo.SubscribeGatewayAsync();

        var drill = await silo.DispatchAsync("drill", Admins.Case(Around.Lat, Around.Lon, 10_000, "Missing: girl, 8") with { Exercise = true, Language = "zh-CN" });
        Assert.Equal(2, drill.Recipients);
        await gateway.WaitForPushes(2);
        var batch = Assert.Single(gateway.Batches);
        Assert.Equal([3L, 7L], batch.UserIds.Order());
        Assert.True(batch.Payload.Exercise);
        Assert.Equal("【演习】Missing: girl, 8", batch.Payload.Message);

        // The testers had a drill today, and the limit is one alert a day: a real case still reaches them.
        var live = await silo.DispatchAsync("live", Admins.Case(Around.Lat, Around.Lon, 10_000));
        Assert.Equal((20L, 0L), (live.Recipients, live.Suppressed));
        Assert.True((await silo.Grains.GetGrain<ICaseGrain>("drill").GetRecord()).Definition.Exercise);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Users_over_the_daily_limit_are_held_back_and_counted_and_the_window_rolls(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new() { ["Alerts:MaxAlertsPerUserPerDay"] = "2" });
        await Around.ReportAsync(silo, Around.Ring(1, 10, 3_000));
        var gateway = await silo.SubscribeGatewayAsync();
        // Users 1–5 are also inside a second, smaller case first; everyone is inside the big ones.
        await Around.ReportAsync(silo, Enumerable.Range(1, 5).Select(i => Around.At(i, 500, i * 60, AlertsSilo.Epoch.AddSeconds(1))).ToList());
        Assert.Equal(5, (await silo.DispatchAsync("first", Admins.Case(Around.Lat, Around.Lon, 1_000))).Recipients);
        Assert.Equal(10, (await silo.DispatchAsync("second", Admins.Case(Around.Lat, Around.Lon, 10_000))).Recipients);

        // Users 1–5 have had two today: the third case holds them back, counts them, and never pushes them later.
        var third = await silo.DispatchAsync("third", Admins.Case(Around.Lat, Around.Lon, 10_000));
        Assert.Equal((5L, 5L), (third.Recipients, third.Suppressed));
        Assert.Equal([6L, 7L, 8L, 9L, 10L], (await silo.Cases.LoadRecipientsAsync("third")).Order());
        using (Admins.As(Admins.Filer)) await silo.Grains.GetGrain<ICaseGrain>("third").Widen(11_000);
        var swept = await silo.DispatchedAsync("third");
        Assert.Equal((5L, 5L), (swept.Recipients, swept.Suppressed));
        Assert.Equal(5, (await silo.Grains.GetGrain<ICaseGrain>("third").GetRecord()).Suppressed);

        // A day after the first two, the window has rolled: a fourth case reaches them all.
        silo.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var fourth = await silo.DispatchAsync("fourth", Admins.Case(Around.Lat, Around.Lon, 10_000));
        Assert.Equal((10L, 0L), (fourth.Recipients, fourth.Suppressed));
    }
}
