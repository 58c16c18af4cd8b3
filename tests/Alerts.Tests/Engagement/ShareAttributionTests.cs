using System.Buffers.Text;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Microsoft.Extensions.Options;

namespace Alerts.Tests;

/// <summary>Signed share tokens on both engines: opens through a link count for the sharer, also outside the radius, by generation; forged, tampered and foreign tokens are refused.</summary>
public sealed class ShareAttributionTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Opens_through_shares_count_for_the_sharer_outside_the_radius_generation_by_generation(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var a = s.Recipients[0];           // pushed
        var b = s.Outsiders[0];            // lives just outside the circle: never pushed
        const long c = 9_000_001, d = 9_000_002; // no stored position at all

        var first = await s.ReportAsync(EngagementEvent.Shared(s.CaseId, a, t, ShareChannel.Friend));
        var tokenA = Assert.Single(first.Shares);
        Assert.Equal((0, 1), (tokenA.Index, tokenA.Generation));

        // b opens through a's link, then shares it on: generation 2.
        var second = await s.ReportAsync(EngagementEvent.Opened(s.CaseId, b, t, tokenA.Token), EngagementEvent.Shared(s.CaseId, b, t, ShareChannel.Group));
        Assert.Equal((2, 0), (second.Counted, second.Refused));
        var tokenB = Assert.Single(second.Shares);
        Assert.Equal((1, 2), (tokenB.Index, tokenB.Generation));

        // c opens through b's link and shares in the same report (generation 3); d opens through c's link.
        var third = await s.ReportAsync(EngagementEvent.Opened(s.CaseId, c, t, tokenB.Token), EngagementEvent.Shared(s.CaseId, c, t, ShareChannel.Qzone));
        var tokenC = Assert.Single(third.Shares);
        Assert.Equal(3, tokenC.Generation);
        var fourth = await s.ReportAsync(EngagementEvent.Opened(s.CaseId, d, t, tokenC.Token));
        Assert.Equal(1, fourth.Counted);

        var stats = await s.Case.GetStats();
        Assert.Equal((3L, 0L, 3L, 3L, 3), (stats.Opened, stats.OpenedByPushed, stats.OpensThroughShares, stats.Shares, stats.MaxShareDepth));
        Assert.Equal(new ShareCounts(1, 1, 1, 0), stats.SharesByChannel);
        Assert.Equal([new GenerationEngagement(1, 1, 1), new GenerationEngagement(2, 1, 1), new GenerationEngagement(3, 1, 1)], stats.Generations);
        Assert.Equal(new SharerReach(a, 1, 1), await s.Case.GetSharerReach(a));
        Assert.Equal(new SharerReach(b, 1, 1), await s.Case.GetSharerReach(b));
        Assert.Equal(new SharerReach(d, 0, 0), await s.Case.GetSharerReach(d));

        // b's open counts in b's own cell outside the circle; c and d have no stored position.
        Assert.Equal(1, stats.Cells.Single(x => x.Cell == s.Cells[b]).Opened);
        Assert.Equal((2L, 1L), stats.Cells.Single(x => x.Cell == CellEngagement.Unknown) is var unknown ? (unknown.Opened, unknown.Shares) : default);

        await s.RestartAsync();
        var reloaded = await s.Case.GetStats();
        Assert.Equal(stats.Generations, reloaded.Generations);
        Assert.Equal((stats.OpensThroughShares, stats.MaxShareDepth, stats.SharesByChannel), (reloaded.OpensThroughShares, reloaded.MaxShareDepth, reloaded.SharesByChannel));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Forged_tampered_foreign_and_malformed_tokens_are_refused(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var sharer = s.Recipients[0];
        var genuine = Assert.Single((await s.ReportAsync(EngagementEvent.Shared(s.CaseId, sharer, t, ShareChannel.Friend))).Shares).Token;

        // Tampered: a bit of the sealed generation flipped, the nonce and tag kept.
        var sealedBytes = Base64Url.DecodeFromChars(genuine);
        sealedBytes[1 + 12 + 3] ^= 0x04;
        var tampered = Base64Url.EncodeToString(sealedBytes);
        // Forged: well formed, signed with a key the silos do not have.
        var forged = Signer(SecurityOptions.NewSigningKey()).Issue(new ShareGrant(s.CaseId, sharer, 1, t));
        // Foreign: genuinely signed, but for another case.
        var foreign = Signer(AlertsSilo.ShareKey).Issue(new ShareGrant("another-case", sharer, 1, t));
        // Expired: genuinely signed for this case, but issued longer ago than share links last (30 days).
        var expired = Signer(AlertsSilo.ShareKey).Issue(new ShareGrant(s.CaseId, sharer, 1, t.AddDays(-31)));

        var outsider = s.Outsiders[0];
        var result = await s.ReportAsync(
            EngagementEvent.Opened(s.CaseId, outsider, t, tampered),
            EngagementEvent.Opened(s.CaseId, outsider, t, forged),
            EngagementEvent.Opened(s.CaseId, outsider, t, foreign),
            EngagementEvent.Opened(s.CaseId, outsider, t, "not-a-token"),
            EngagementEvent.Opened(s.CaseId, outsider, t, "%%%.###"),
            EngagementEvent.Opened(s.CaseId, s.Recipients[1], t, forged),
            EngagementEvent.Shared(s.CaseId, s.Outsiders[1], t, ShareChannel.Other, forged),
            EngagementEvent.Opened(s.CaseId, outsider, t, expired));

        Assert.Equal((0, 8), (result.Counted, result.Refused));
        Assert.All(result.Rejections, r => Assert.True(r.Refused && r.Field == "shareToken", r.ToString()));
        var reasons = result.Rejections.Select(r => r.Reason).ToList();
        Assert.Contains("bad signature", reasons[0]);
        Assert.Contains("bad signature", reasons[1]);
        Assert.Contains("is for another case (another-case)", reasons[2]);
        Assert.Contains("malformed", reasons[3]);
        Assert.Contains("malformed", reasons[4]);
        Assert.Contains("bad signature", reasons[5]);
        Assert.StartsWith("has expired: issued", reasons[7]);
        Assert.Empty(result.Shares);

        // The genuine token still works.
        Assert.Equal(1, (await s.ReportAsync(EngagementEvent.Opened(s.CaseId, outsider, t, genuine))).Counted);
        var stats = await s.Case.GetStats();
        Assert.Equal((1L, 1L, 8L), (stats.Opened, stats.OpensThroughShares, stats.Refused));

        // A sighting is not lost over a bad token when the case reached its sender anyway (pushed, or opened through a
        // genuine link); from anyone else it is refused, naming the token.
        var seen = new SightingDetails(22.5, 114.0, "saw her at the bus stop");
        var sightings = await s.ReportAsync(
            EngagementEvent.Sighted(s.CaseId, s.Recipients[1], t, seen, forged),
            EngagementEvent.Sighted(s.CaseId, outsider, t, seen, foreign),
            EngagementEvent.Sighted(s.CaseId, s.Outsiders[2], t, seen, tampered));
        Assert.Equal((2, 1), (sightings.Counted, sightings.Refused));
        var refusal = Assert.Single(sightings.Rejections);
        Assert.Equal((2, "shareToken", true), (refusal.Index, refusal.Field, refusal.Refused));
        Assert.Contains("bad signature", refusal.Reason);
        Assert.Equal(2, (await s.Case.GetStats()).Sightings);
    }

    [Fact]
    public async Task A_link_is_aged_at_the_event_and_one_that_merely_expired_stops_only_what_needs_a_link()
    {
        await using var s = await EngagementScenario.StartAsync("sqlite");
        var t = s.Now;
        // Issued 30.5 days ago: a day ago, when a phone opened it and then stayed offline, it was 29.5 days old.
        var link = Signer(AlertsSilo.ShareKey).Issue(new ShareGrant(s.CaseId, s.Recipients[0], 1, t.AddDays(-30.5)));
        var outsider = s.Outsiders[0];
        Assert.Equal(1, (await s.ReportAsync(EngagementEvent.Opened(s.CaseId, outsider, t.AddDays(-1), link))).Counted);

        // The same link now: that open again is a repeat, a share by a pushed user whose app attaches it counts, and a
        // first open through it is refused naming the token.
        var result = await s.ReportAsync(
            EngagementEvent.Opened(s.CaseId, outsider, t, link),
            EngagementEvent.Shared(s.CaseId, s.Recipients[1], t, ShareChannel.Friend, link),
            EngagementEvent.Opened(s.CaseId, s.Outsiders[1], t, link));
        Assert.Equal((1, 1, 1), (result.Counted, result.Repeated, result.Refused));
        var refusal = Assert.Single(result.Rejections);
        Assert.Equal((2, "shareToken"), (refusal.Index, refusal.Field));
        Assert.StartsWith("has expired: issued", refusal.Reason);
        Assert.Single(result.Shares);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task An_open_through_ones_own_link_counts_for_nobodys_sharing(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var a = s.Recipients[0];  // pushed: shares from the notification, then taps their own link in the chat
        var b = s.Outsiders[0];   // never pushed: reached through a's link, shares before opening, then taps their own link
        var tokenA = Assert.Single((await s.ReportAsync(EngagementEvent.Shared(s.CaseId, a, t, ShareChannel.Group))).Shares).Token;
        var tokenB = Assert.Single((await s.ReportAsync(EngagementEvent.Shared(s.CaseId, b, t, ShareChannel.Friend, tokenA))).Shares);
        Assert.Equal(2, tokenB.Generation);

        var opens = await s.ReportAsync(EngagementEvent.Opened(s.CaseId, a, t, tokenA), EngagementEvent.Opened(s.CaseId, b, t, tokenB.Token));
        Assert.Equal((2, 0), (opens.Counted, opens.Refused));

        // a opened from the push; b was reached through a's link (generation 1), whoever's copy of it they tapped.
        var stats = await s.Case.GetStats();
        Assert.Equal((2L, 1L, 1L, 2), (stats.Opened, stats.OpenedByPushed, stats.OpensThroughShares, stats.MaxShareDepth));
        Assert.Equal([new GenerationEngagement(1, 1, 1), new GenerationEngagement(2, 1, 0)], stats.Generations);
        Assert.Equal(new SharerReach(a, 1, 0), await s.Case.GetSharerReach(a));
        Assert.Equal(new SharerReach(b, 1, 0), await s.Case.GetSharerReach(b));

        // b shares again: still generation 2.
        Assert.Equal(2, Assert.Single((await s.ReportAsync(EngagementEvent.Shared(s.CaseId, b, t, ShareChannel.Qzone))).Shares).Generation);
        await s.RestartAsync();
        var reloaded = await s.Case.GetStats();
        Assert.Equal((1L, 2), (reloaded.OpensThroughShares, reloaded.MaxShareDepth));
        Assert.Equal([new GenerationEngagement(1, 1, 1), new GenerationEngagement(2, 2, 0)], reloaded.Generations);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Opening_again_from_the_app_after_coming_through_a_link_is_a_repeat_not_a_refusal(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var link = Assert.Single((await s.ReportAsync(EngagementEvent.Shared(s.CaseId, s.Recipients[0], t, ShareChannel.Friend))).Shares).Token;
        var (outsider, stranger) = (s.Outsiders[0], 9_000_001L);
        Assert.Equal(1, (await s.ReportAsync(EngagementEvent.Opened(s.CaseId, outsider, t, link))).Counted);

        // Later the user opens the alert from the app's list (no link this time); in the same report a stranger
        // comes through the link and opens again from the list at once.
        var again = await s.ReportAsync(
            EngagementEvent.Opened(s.CaseId, outsider, t.AddMinutes(1)),
            EngagementEvent.Opened(s.CaseId, stranger, t, link),
            EngagementEvent.Opened(s.CaseId, stranger, t.AddSeconds(5)));
        Assert.Equal((1, 2, 0), (again.Counted, again.Repeated, again.Refused));
        Assert.Empty(again.Rejections);
        var stats = await s.Case.GetStats();
        Assert.Equal((2L, 2L, 0L), (stats.Opened, stats.OpensThroughShares, stats.Refused));

        // Someone the case never reached is still refused.
        Assert.Equal(1, (await s.ReportAsync(EngagementEvent.Opened(s.CaseId, s.Outsiders[1], t))).Refused);
    }

    private static ShareTokens Signer(string key) => new(Options.Create(new EngagementOptions { ShareKey = key }));
}
