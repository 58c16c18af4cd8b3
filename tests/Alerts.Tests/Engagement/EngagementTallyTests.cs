using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>The in-memory counters stay bounded however many users and places a case reaches, and lose no count.</summary>
public sealed class EngagementTallyTests
{
    [Fact]
    public void A_million_users_in_fifty_thousand_cells_over_a_week_keep_the_maps_at_their_bounds()
    {
        var options = new EngagementOptions { MaxMapCells = 1_000, MaxTimelineMinutes = 600, MaxListedGenerations = 8 };
        var tally = new EngagementTally(options);
        var start = AlertsSilo.Epoch.ToUnixTimeMilliseconds() / 60_000;
        for (var user = 0; user < 1_000_000; user++)
        {
            var cell = $"c{user % 50_000}";
            var minute = start + user % 10_080;
            tally.AddDelivered(cell, minute);
            if (user % 3 == 0) tally.AddOpened(cell, minute, generation: user % 20, pushed: user % 20 == 0);
            if (user % 100 == 0) tally.AddShared(cell, minute, (ShareChannel)(user % 4), generation: 1 + user / 100 % 30);
        }

        Assert.Equal(1_001, tally.CellCount); // the bound plus the overflow cell
        Assert.Equal(600, tally.MinuteCount);
        var stats = tally.ToStats("c", CaseStatus.Active, pushed: 1_000_000, suppressed: 0);
        Assert.Equal(1_000_000, stats.Cells.Sum(c => c.Delivered));
        Assert.Equal(stats.Opened, stats.Cells.Sum(c => c.Opened));
        Assert.Equal(1_000_000, stats.Timeline.Sum(m => m.Delivered));
        Assert.Equal(stats.Shares, stats.Timeline.Sum(m => m.Shares));
        Assert.Contains(stats.Cells, c => c.Cell == CellEngagement.Overflow);
        // Generations past the listed bound are counted in the last listed one; the true depth is kept.
        Assert.Equal(8, stats.Generations.Max(g => g.Generation));
        Assert.Equal(30, stats.MaxShareDepth);
        Assert.Equal(stats.Shares, stats.Generations.Sum(g => g.Shares));
        Assert.Equal(stats.OpensThroughShares, stats.Generations.Sum(g => g.Opens));
        // The newest minutes are the ones kept one by one.
        Assert.Equal(start + 10_079, stats.Timeline[^1].Minute.ToUnixTimeMilliseconds() / 60_000);
    }

    [Fact]
    public void Shards_add_up_into_the_cases_figures_within_the_map_bound()
    {
        var options = new EngagementOptions { MaxMapCells = 2 };
        var minute = AlertsSilo.Epoch.ToUnixTimeMilliseconds() / 60_000;
        var one = new EngagementTally(options);
        one.AddDelivered("a", minute, 5);
        one.AddOpened("a", minute, generation: 1, pushed: false, count: 3);
        one.AddShared("b", minute + 1, ShareChannel.Qzone, generation: 2);
        var two = new EngagementTally(options);
        two.AddDelivered("c", minute, 4);
        two.AddOpened("b", minute, generation: 0, pushed: true, count: 2);
        two.AddRefused(7);

        var stats = EngagementFigures.Combine("c", CaseStatus.Active, pushed: 10, suppressed: 1,
            [one.ToStats("c", CaseStatus.None, 0, 0), two.ToStats("c", CaseStatus.None, 0, 0)], options);

        Assert.Equal((9L, 5L, 2L, 0.2, 3L, 1L, 2, 7L, 1L), (stats.Delivered, stats.Opened, stats.OpenedByPushed, stats.OpenRate, stats.OpensThroughShares, stats.Shares, stats.MaxShareDepth, stats.Refused, stats.Suppressed));
        Assert.Equal([new CellEngagement("a", 5, 3, 0, 0), new CellEngagement("b", 0, 2, 1, 0), new CellEngagement(CellEngagement.Overflow, 4, 0, 0, 0)], stats.Cells);
        Assert.Equal([new MinuteEngagement(AlertsSilo.Epoch, 9, 5, 0, 0), new MinuteEngagement(AlertsSilo.Epoch.AddMinutes(1), 0, 0, 1, 0)], stats.Timeline);
        Assert.Equal([new GenerationEngagement(1, 0, 3), new GenerationEngagement(2, 1, 0)], stats.Generations);
    }
}
