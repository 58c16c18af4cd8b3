using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Adds up the figures of a case's shards into the case's, keeping the map within its bound.</summary>
public static class EngagementFigures
{
    /// <summary>The case's figures: totals summed, cells, minutes and generations merged by key, the open rate over <paramref name="pushed"/>.</summary>
    public static CaseEngagementStats Combine(string caseId, CaseStatus status, long pushed, long suppressed, IReadOnlyList<CaseEngagementStats> shards, EngagementOptions options)
    {
        var openedByPushed = shards.Sum(s => s.OpenedByPushed);
        var cells = shards.SelectMany(s => s.Cells).GroupBy(c => c.Cell, StringComparer.Ordinal)
            .Select(g => new CellEngagement(g.Key, g.Sum(c => c.Delivered), g.Sum(c => c.Opened), g.Sum(c => c.Shares), g.Sum(c => c.Sightings)))
            .OrderByDescending(c => c.Opened).ThenByDescending(c => c.Delivered).ThenBy(c => c.Cell, StringComparer.Ordinal).ToList();
        if (cells.Count(c => c.Cell != CellEngagement.Overflow) > options.MaxMapCells)
        {
            // Each shard kept its own bound; past the case's, the quietest cells join the overflow cell.
            var named = cells.Where(c => c.Cell != CellEngagement.Overflow).ToList();
            var rest = named.Skip(options.MaxMapCells).Concat(cells.Where(c => c.Cell == CellEngagement.Overflow)).ToList();
            cells = named.Take(options.MaxMapCells).ToList();
            cells.Add(new CellEngagement(CellEngagement.Overflow, rest.Sum(c => c.Delivered), rest.Sum(c => c.Opened), rest.Sum(c => c.Shares), rest.Sum(c => c.Sightings)));
        }

        var timeline = shards.SelectMany(s => s.Timeline).GroupBy(m => m.Minute).OrderBy(g => g.Key)
            .Select(g => new MinuteEngagement(g.Key, g.Sum(m => m.Delivered), g.Sum(m => m.Opened), g.Sum(m => m.Shares), g.Sum(m => m.Sightings))).ToList();
        var generations = shards.SelectMany(s => s.Generations).GroupBy(g => g.Generation).OrderBy(g => g.Key)
            .Select(g => new GenerationEngagement(g.Key, g.Sum(x => x.Shares), g.Sum(x => x.Opens))).ToList();
        return new CaseEngagementStats(
            caseId, status, pushed, shards.Sum(s => s.Delivered), shards.Sum(s => s.Opened), openedByPushed, pushed == 0 ? 0 : (double)openedByPushed / pushed,
            shards.Sum(s => s.Shares),
            new ShareCounts(shards.Sum(s => s.SharesByChannel.Friend), shards.Sum(s => s.SharesByChannel.Group), shards.Sum(s => s.SharesByChannel.Qzone), shards.Sum(s => s.SharesByChannel.Other)),
            shards.Sum(s => s.OpensThroughShares), shards.Count == 0 ? 0 : shards.Max(s => s.MaxShareDepth), shards.Sum(s => s.Sightings), suppressed, shards.Sum(s => s.Refused),
            generations, cells, timeline);
    }
}
