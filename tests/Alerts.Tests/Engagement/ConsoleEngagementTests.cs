using System.Text.Json;
using Alerts.Client;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary><c>alerts case stats</c> and <c>alerts case sightings</c> as real processes against a real embedded silo, fed by a real gateway client.</summary>
public sealed class ConsoleEngagementTests(ConsoleSilo fixture) : IClassFixture<ConsoleSilo>
{
    private const double Lat = 22.5431, Lon = 114.0579;

    [Fact]
    public async Task Case_stats_shows_what_the_gateway_reported_and_sightings_are_listed()
    {
        const string caseId = "sz-engage";
        await using var gateway = await AlertsClient.ConnectAsync(new AlertsClientOptions
        {
            ClusterId = fixture.ClusterId,
            Gateways = [$"127.0.0.1:{fixture.Silo.GatewayPort}"],
            Credential = (await File.ReadAllTextAsync(fixture.GatewayCredential)).Trim(),
        });
        var now = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(1, 40).Select(i => 5_000_000L + i).ToList();
        var fixes = users.Select((u, i) => GreatCircle.Destination(Lat, Lon, i * 9, 100 + i * 20) is var p ? new LocationUpdate(u, p.Latitude, p.Longitude, now.AddSeconds(-5)) : null!).ToList();
        Assert.Equal(40, (await gateway.GetGrain<IResidencyGrain>(0).Report(fixes)).Applied);

        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(["case", "open", caseId, "--lat", "22.5431", "--lon", "114.0579", "--radius-km", "5",
            "--message", "Missing boy, 6, red jacket", "--link", "https://alerts.example/c/sz-engage", .. ConsoleSilo.CaseDetails("--submit")]));
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "approve", caseId));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", caseId, "--until", "dispatched", "--json", "--timeout", "120"));

        var engagement = gateway.GetGrain<IEngagementGrain>(0);
        var t = DateTimeOffset.UtcNow.AddSeconds(-1);
        var first = await engagement.Report([
            .. users.Select(u => EngagementEvent.Delivered(caseId, u, t)),
            .. users.Take(12).Select(u => EngagementEvent.Opened(caseId, u, t)),
            EngagementEvent.Shared(caseId, users[0], t, ShareChannel.Friend),
            EngagementEvent.Shared(caseId, users[1], t, ShareChannel.Group),
            EngagementEvent.Sighted(caseId, users[2], t, new SightingDetails(22.55, 114.06, "boy in a red jacket near the metro", "https://photos.example/s.jpg", "138 0000 0000")),
        ]);
        Assert.Equal((55, 0, 0), (first.Counted, first.Refused, first.Rejected));
        var viaShare = await engagement.Report([EngagementEvent.Opened(caseId, 9_999_001, t, first.Shares[0].Token)]);
        Assert.Equal(1, viaShare.Counted);

        var stats = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "stats", caseId, "--json"))).StandardOutput);
        Assert.Equal((40L, 40L, 13L, 12L, 2L, 1L, 1, 1L, 0L, 0L), (
            stats.GetProperty("pushed").GetInt64(), stats.GetProperty("delivered").GetInt64(), stats.GetProperty("opened").GetInt64(),
            stats.GetProperty("openedByPushed").GetInt64(), stats.GetProperty("shares").GetInt64(), stats.GetProperty("opensThroughShares").GetInt64(),
            stats.GetProperty("maxShareDepth").GetInt32(), stats.GetProperty("sightings").GetInt64(), stats.GetProperty("suppressed").GetInt64(),
            stats.GetProperty("refused").GetInt64()));
        Assert.Equal(0.3, stats.GetProperty("openRate").GetDouble(), 9);
        Assert.Equal("active", stats.GetProperty("status").GetString());
        Assert.Equal(41L, stats.GetProperty("cells").EnumerateArray().Sum(c => c.GetProperty("delivered").GetInt64() + c.GetProperty("sightings").GetInt64()));
        Assert.Equal(13L, stats.GetProperty("timeline").EnumerateArray().Sum(m => m.GetProperty("opened").GetInt64()));

        // The live view carries the same headline figures.
        var watched = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", caseId, "--until", "dispatched", "--json", "--timeout", "60")))
            .StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).GetProperty("engagement");
        Assert.Equal((40L, 13L, 2L, 1L, 1L), (watched.GetProperty("delivered").GetInt64(), watched.GetProperty("opened").GetInt64(),
            watched.GetProperty("shares").GetInt64(), watched.GetProperty("opensThroughShares").GetInt64(), watched.GetProperty("sightings").GetInt64()));
        var lines = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", caseId, "--until", "dispatched", "--timeout", "60"));
        Assert.Contains("delivered 40, opened 13, shares 2, sightings 1", lines.StandardOutput);

        var table = (await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "stats", caseId))).StandardOutput;
        Assert.Contains("open rate", table);
        Assert.Contains("30.0%", table);
        Assert.Contains("opens through shares", table);
        Assert.Contains("minute (UTC)", table);

        var sightings = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "sightings", caseId, "--json"))).StandardOutput);
        var sighting = Assert.Single(sightings.EnumerateArray());
        Assert.Equal("boy in a red jacket near the metro", sighting.GetProperty("details").GetProperty("text").GetString());
        Assert.Equal(GreatCircle.Distance(Lat, Lon, 22.55, 114.06), sighting.GetProperty("distanceFromLastSeenMeters").GetDouble(), 6);
        var line = (await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "sightings", caseId))).StandardOutput;
        Assert.Contains("near the metro", line);
        Assert.Contains("(0.8 km from last seen)", line);
    }

    public static TheoryData<string, string[], int, string> Errors => new()
    {
        { "admin", ["case", "stats", "no-such-case"], 4, "no case named no-such-case" },
        { "gateway", ["case", "stats", "no-such-case"], 3, "role gateway may not call alerts.case-engagement.GetStats; needs viewer or liaison or approver or admin" },
        { "gateway", ["case", "sightings", "no-such-case"], 3, "may not call alerts.case-engagement.ListSightings" },
        { "admin", ["case", "stats", "x", "--cells", "-1"], 2, "--cells -1 is invalid" },
        { "admin", ["case", "sightings", "x", "--limit", "0"], 2, "limit 0 is invalid" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task An_error_is_one_clear_line_and_its_exit_code(string who, string[] args, int exitCode, string text)
    {
        var run = await fixture.RunAsync(who == "gateway" ? fixture.GatewayCredential : fixture.AdminCredential, args);
        Assert.True(run.ExitCode == exitCode, $"expected exit {exitCode}: {run}");
        Assert.Contains(text, run.StandardError, StringComparison.Ordinal);
        Assert.StartsWith("alerts: ", run.StandardError, StringComparison.Ordinal);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}

/// <summary><c>alerts case sightings</c> prints one line per sighting, whatever line breaks its free text holds.</summary>
public sealed class SightingLineTests
{
    [Fact]
    public void A_sighting_whose_contact_or_text_holds_line_breaks_is_still_one_line()
    {
        var details = new SightingDetails(22.55, 114.06, "girl in a yellow raincoat\r\nwith a man\u2028heading north", "https://photos.example/s.jpg", "138 0000 0000\n(after 6 pm)");
        // The intake takes all of it: line breaks are text people type.
        Assert.Null(Grains.EngagementEventRules.Check(EngagementEvent.Sighted("c", 1, AlertsSilo.Epoch, details), AlertsSilo.Epoch, new Grains.EngagementOptions()));
        var at = AlertsSilo.Epoch;

        var line = Cli.SightingsCommand.Line(new Sighting(42, at, at, details) { DistanceFromLastSeenMeters = 800 });

        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.DoesNotContain('\u2028', line);
        Assert.EndsWith("\"girl in a yellow raincoat with a man heading north\"  photo https://photos.example/s.jpg  contact 138 0000 0000 (after 6 pm)", line);
    }
}
