using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Erasing a user removes every engagement row about them; what others did through their links still counts, without their name.</summary>
public sealed class EngagementErasureTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task An_erased_user_leaves_no_engagement_row_and_no_name_on_opens_through_their_links(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var user = s.Recipients[0];
        var shared = await s.ReportAsync(
            EngagementEvent.Delivered(s.CaseId, user, t),
            EngagementEvent.Opened(s.CaseId, user, t),
            EngagementEvent.Shared(s.CaseId, user, t, ShareChannel.Friend),
            EngagementEvent.Sighted(s.CaseId, user, t, new SightingDetails(22.55, 114.06, "seen", Contact: "138 0000 0000")));
        Assert.Equal(4, shared.Counted);
        Assert.Equal(1, (await s.ReportAsync(EngagementEvent.Opened(s.CaseId, 9_000_001, t, shared.Shares[0].Token))).Counted);
        // A refused event of theirs is a row about them too.
        Assert.Equal(1, (await s.ReportAsync(EngagementEvent.Shared(s.CaseId, user, t, ShareChannel.Group, "not-a-token"))).Refused);
        Assert.True(await s.Silo.Residents.CountRowsAboutAsync(user) >= 7);

        await s.Silo.Grains.GetGrain<IResidencyGrain>(0).Erase(user);

        Assert.Equal(0, await s.Silo.Residents.CountRowsAboutAsync(user));
        Assert.Equal(new SharerReach(user, 0, 0), await s.Case.GetSharerReach(user));
        Assert.Empty(await s.Case.ListSightings(10));
        await s.RestartAsync();
        var stats = await s.Case.GetStats();
        Assert.Equal((1L, 1L, 0L, 0L, 0L), (stats.Opened, stats.OpensThroughShares, stats.Shares, stats.Sightings, stats.Refused));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task An_open_through_an_erased_users_link_after_the_erasure_still_counts_without_their_name(string provider)
    {
        await using var s = await EngagementScenario.StartAsync(provider);
        var t = s.Now;
        var sharer = s.Recipients[0];
        var link = Assert.Single((await s.ReportAsync(EngagementEvent.Shared(s.CaseId, sharer, t, ShareChannel.Group))).Shares).Token;
        await s.Silo.Grains.GetGrain<IResidencyGrain>(0).Erase(sharer);
        Assert.Equal(0, await s.Silo.Residents.CountRowsAboutAsync(sharer));

        // The link stays in the group chat: people keep coming through it, and must not bring the sharer's id back.
        var opens = await s.ReportAsync(EngagementEvent.Opened(s.CaseId, 9_000_001, t, link), EngagementEvent.Opened(s.CaseId, s.Outsiders[0], t, link));
        Assert.Equal(2, opens.Counted);
        Assert.Equal(0, await s.Silo.Residents.CountRowsAboutAsync(sharer));
        Assert.Equal(new SharerReach(sharer, 0, 0), await s.Case.GetSharerReach(sharer));
        var stats = await s.Case.GetStats();
        Assert.Equal((2L, 2L, 1), (stats.Opened, stats.OpensThroughShares, stats.MaxShareDepth));
    }
}
