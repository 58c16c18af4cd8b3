using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>The per-cell map, the per-minute timeline, sightings newest first and the suppressed count, on both engines.</summary>
public sealed class EngagementMapTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Cells_and_minutes_hold_exactly_what_was_reported(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t0 = s.Now.AddMinutes(-10); // 11:50:00 UTC on the test epoch
        var early = s.Recipients.Take(5).ToList();
        var late = s.Recipients.Skip(5).Take(5).ToList();
        var openers = s.Recipients.Take(3).ToList();
        var seen = new SightingDetails(22.6, 114.1, "a girl in a yellow raincoat at the bus stop");

        await s.Intake.Report([
            .. early.Select(u => EngagementEvent.Delivered(s.CaseId, u, t0)),
            .. late.Select(u => EngagementEvent.Delivered(s.CaseId, u, t0.AddSeconds(90))),
            .. openers.Select(u => EngagementEvent.Opened(s.CaseId, u, t0.AddMinutes(2))),
            EngagementEvent.Sighted(s.CaseId, openers[0], t0.AddMinutes(2).AddSeconds(30), seen),
        ]);

        var stats = await s.Case.GetStats();
        var sightingCell = Geohash.Encode(seen.Latitude, seen.Longitude, 5).ToString();
        var expected = early.Concat(late).GroupBy(u => s.Cells[u]).ToDictionary(g => g.Key, g => (Delivered: (long)g.Count(), Opened: (long)g.Count(openers.Contains), Sightings: 0L));
        expected[sightingCell] = expected.TryGetValue(sightingCell, out var there) ? there with { Sightings = 1 } : (0, 0, 1);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), stats.Cells.Select(c => KeyValuePair.Create(c.Cell, (c.Delivered, c.Opened, c.Sightings))).OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(
            [new MinuteEngagement(t0, 5, 0, 0, 0), new MinuteEngagement(t0.AddMinutes(1), 5, 0, 0, 0), new MinuteEngagement(t0.AddMinutes(2), 0, 3, 0, 1)],
            stats.Timeline);
        // Most opens first.
        Assert.Equal(stats.Cells.Max(c => c.Opened), stats.Cells[0].Opened);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Sightings_are_listed_newest_first_once_each_and_suppressed_users_are_counted(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var first = new SightingDetails(22.55, 114.06, "boy in a red jacket at Futian station", "https://photos.example/1.jpg", "+86 139 0000 0000");
        var second = new SightingDetails(22.56, 114.07, "same boy, heading north");
        await s.ReportAsync(EngagementEvent.Sighted(s.CaseId, s.Recipients[0], s.Now.AddMinutes(-5), first));
        s.Silo.Time.Advance(TimeSpan.FromMinutes(1));
        var reportedSecond = s.Now;
        await s.ReportAsync(EngagementEvent.Sighted(s.CaseId, s.Recipients[1], s.Now.AddMinutes(-10), second));
        // The same sighting again (a gateway's retry) is stored once.
        var retry = await s.ReportAsync(EngagementEvent.Sighted(s.CaseId, s.Recipients[0], AlertsSilo.Epoch.AddMinutes(-5), first));
        Assert.Equal((0, 1), (retry.Counted, retry.Repeated));

        var listed = await s.Case.ListSightings(10);
        Assert.Equal([s.Recipients[1], s.Recipients[0]], listed.Select(x => x.UserId));
        Assert.Equal(second, listed[0].Details);
        Assert.Equal(first, listed[1].Details);
        Assert.Equal((reportedSecond, reportedSecond.AddMinutes(-10)), (listed[0].ReportedAt, listed[0].SeenAt));
        Assert.Single(await s.Case.ListSightings(1));
        Assert.Contains("limit 0 is invalid", (await Assert.ThrowsAsync<ArgumentException>(() => s.Case.ListSightings(0))).Message);

        // Alert-fatigue suppression writes case_suppressed; the figures read it.
        var engine = s.Silo.Services.GetRequiredService<StoreEngine>();
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO case_suppressed (case_id, user_id, suppressed_ms) VALUES (@caseId, @userId, 0)",
                new[] { 1L, 2L, 3L }.Select(u => new { caseId = s.CaseId, userId = 7_000_000 + u }));
            await connection.ExecuteAsync("INSERT INTO case_suppressed (case_id, user_id, suppressed_ms) VALUES ('other-case', 1, 0)");
        }

        var stats = await s.Case.GetStats();
        Assert.Equal((2L, 3L), (stats.Sightings, stats.Suppressed));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Two_different_sightings_a_user_reports_as_seen_at_the_same_time_are_both_kept(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        // The app's "seen at" is a time picker: a user who adds what they saw at 14:05 sends the same time again.
        var seenAt = s.Now.AddMinutes(-20);
        var user = s.Recipients[0];
        var first = new SightingDetails(22.55, 114.06, "girl in a yellow raincoat at the bus stop");
        var second = new SightingDetails(22.551, 114.061, "she got on bus 23 with a man in a grey coat");
        var third = new SightingDetails(22.552, 114.062, "the man had a black umbrella");

        Assert.Equal((1, 0), (await s.ReportAsync(EngagementEvent.Sighted(s.CaseId, user, seenAt, first))) is var a ? (a.Counted, a.Repeated) : default);
        var more = await s.ReportAsync(EngagementEvent.Sighted(s.CaseId, user, seenAt, second), EngagementEvent.Sighted(s.CaseId, user, seenAt, third));
        Assert.Equal((2, 0), (more.Counted, more.Repeated));

        // A gateway's resend of all three is still a repeat of each.
        var resent = await s.ReportAsync(
            EngagementEvent.Sighted(s.CaseId, user, seenAt, third), EngagementEvent.Sighted(s.CaseId, user, seenAt, first), EngagementEvent.Sighted(s.CaseId, user, seenAt, second));
        Assert.Equal((0, 3), (resent.Counted, resent.Repeated));

        var listed = await s.Case.ListSightings(10);
        Assert.Equal([first, second, third], listed.Select(x => x.Details).OrderBy(d => d.Latitude));
        Assert.All(listed, x => Assert.Equal(seenAt.ToUnixTimeSeconds(), x.SeenAt.ToUnixTimeSeconds()));
        Assert.Equal(3, (await s.Case.GetStats()).Sightings);
        await s.RestartAsync();
        Assert.Equal(3, (await s.Case.GetStats()).Sightings);
    }
}
