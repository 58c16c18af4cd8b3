using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Bad input: each bad event is rejected with its index, field and reason; the rest of the report is counted.</summary>
public sealed class EngagementInputTests
{
    [Fact]
    public async Task Each_bad_event_names_its_field_and_the_rest_is_counted()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        var t = s.Now;
        var c = s.CaseId;
        var u = s.Recipients[0];
        var place = new SightingDetails(22.5, 114.0, "seen");
        var cases = new (EngagementEvent? Event, string Field, string Reason)[]
        {
            (EngagementEvent.Delivered(c, u, t), "", ""),
            (null, "event", "is null"),
            (new EngagementEvent((EngagementKind)99, c, u, t), "kind", "99 is not one of"),
            (EngagementEvent.Opened("bad id!", u, t), "caseId", "is invalid"),
            (EngagementEvent.Opened(c, 0, t), "userId", "0 must be positive"),
            (EngagementEvent.Opened(c, u, default), "time", "is missing"),
            (EngagementEvent.Opened(c, u, t.AddHours(1)), "time", "in the future"),
            (EngagementEvent.Opened(c, u, t.AddDays(-8)), "time", "older than 7 days"),
            (new EngagementEvent(EngagementKind.Shared, c, u, t), "channel", "is missing"),
            (EngagementEvent.Shared(c, u, t, (ShareChannel)9), "channel", "9 is not one of"),
            (new EngagementEvent(EngagementKind.Sighted, c, u, t), "sighting", "is missing"),
            (EngagementEvent.Sighted(c, u, t, place with { Latitude = 91 }), "sighting.latitude", "91 is invalid"),
            (EngagementEvent.Sighted(c, u, t, place with { Longitude = -181 }), "sighting.longitude", "-181 is invalid"),
            (EngagementEvent.Sighted(c, u, t, place with { Latitude = 0, Longitude = 0 }), "sighting.latitude", "0 with longitude 0 is what a device without a position fix reports"),
            (EngagementEvent.Sighted(c, u, t, place with { Latitude = 0 }), "", ""),
            (EngagementEvent.Sighted(c, u, t, place with { Text = " " }), "sighting.text", "is empty"),
            (EngagementEvent.Sighted(c, u, t, place with { Text = new string('x', 2_001) }), "sighting.text", "2001 characters; at most 2000"),
            (EngagementEvent.Sighted(c, u, t, place with { PhotoUrl = "ftp://photos.example/1.jpg" }), "sighting.photoUrl", "not an absolute http(s) URL"),
            (EngagementEvent.Sighted(c, u, t, place with { Contact = new string('1', 201) }), "sighting.contact", "201 characters; at most 200"),
            // PostgreSQL refuses a NUL in text: the whole shard's write would fail, on every retry.
            (EngagementEvent.Sighted(c, u, t, place with { Text = "saw her\0" }), "sighting.text", "has the control character U+0000 at character 7"),
            (EngagementEvent.Sighted(c, u, t, place with { Contact = "138\uDC00" }), "sighting.contact", "has an unpaired surrogate U+DC00 at character 3"),
            (EngagementEvent.Sighted(c, u, t, place with { PhotoUrl = "https://photos.example/1.jpg\u0001" }), "sighting.photoUrl", ""),
            (EngagementEvent.Sighted(c, u, t, place with { Text = "two lines\r\n\tand a tab 👀" }), "", ""),
            (EngagementEvent.Opened(c, u, t, shareToken: ""), "shareToken", "is empty"),
            (EngagementEvent.Opened(c, u, t), "", ""),
        };

        var result = await s.Intake.Report(cases.Select(x => x.Event!).ToList());

        Assert.Equal((4, 0, 21), (result.Counted, result.Refused, result.Rejected));
        var expected = cases.Select((x, i) => (x, i)).Where(p => p.x.Field != "").ToList();
        Assert.Equal(expected.Select(p => (p.i, p.x.Field)), result.Rejections.Select(r => (r.Index, r.Field)));
        foreach (var (x, i) in expected)
        {
            var rejection = result.Rejections.Single(r => r.Index == i);
            Assert.Contains(x.Reason, rejection.Reason);
            Assert.False(rejection.Refused);
        }

        var stats = await s.Case.GetStats();
        Assert.Equal((1L, 1L, 2L, 0L), (stats.Delivered, stats.Opened, stats.Sightings, stats.Refused)); // on the equator, and the two-line one
    }

    [Fact]
    public async Task A_report_over_the_limit_is_refused_whole_with_the_limit_named()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        var events = Enumerable.Range(0, 10_001).Select(_ => EngagementEvent.Delivered(s.CaseId, s.Recipients[0], s.Now)).ToList();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => s.Intake.Report(events));
        Assert.Contains("events has 10001 entries; at most 10000 per call", error.Message);
        Assert.Equal(0, (await s.Case.GetStats()).Delivered);
    }
}
