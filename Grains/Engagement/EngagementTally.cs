using System.Runtime.InteropServices;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>
/// A case's engagement counters in memory: totals, and maps by cell, minute and generation whose sizes are bounded
/// by settings, never by the number of users (who is counted already lives in the tables, not here).
/// </summary>
public sealed class EngagementTally(EngagementOptions options)
{
    private readonly Dictionary<string, EngagementCounts> _cells = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, EngagementCounts> _minutes = [];
    private readonly Dictionary<int, (long Shares, long Opens)> _generations = [];
    private readonly long[] _sharesByChannel = new long[Enum.GetValues<ShareChannel>().Length];

    /// <summary>Deliveries counted.</summary>
    public long Delivered { get; private set; }

    /// <summary>Unique opens counted.</summary>
    public long Opened { get; private set; }

    /// <summary>Opens by users the case pushed to.</summary>
    public long OpenedByPushed { get; private set; }

    /// <summary>Opens that came through a share link.</summary>
    public long OpensThroughShares { get; private set; }

    /// <summary>Shares counted.</summary>
    public long Shares { get; private set; }

    /// <summary>The deepest generation shared or opened through.</summary>
    public int MaxShareDepth { get; private set; }

    /// <summary>Sightings counted.</summary>
    public long Sightings { get; private set; }

    /// <summary>Events refused.</summary>
    public long Refused { get; private set; }

    /// <summary>Distinct cells held (at most MaxMapCells plus the overflow cell).</summary>
    public int CellCount => _cells.Count;

    /// <summary>Distinct minutes held (at most MaxTimelineMinutes).</summary>
    public int MinuteCount => _minutes.Count;

    /// <summary>Counts <paramref name="count"/> deliveries in <paramref name="cell"/> at <paramref name="minute"/> (Unix minutes).</summary>
    public void AddDelivered(string cell, long minute, long count = 1)
    {
        Delivered += count;
        Place(EngagementKind.Delivered, cell, minute, count);
    }

    /// <summary>Counts opens; <paramref name="generation"/> is the generation of the link they came through (0: from the push).</summary>
    public void AddOpened(string cell, long minute, int generation, bool pushed, long count = 1)
    {
        Opened += count;
        if (pushed) OpenedByPushed += count;
        if (generation > 0)
        {
            OpensThroughShares += count;
            Generation(generation, 0, count);
        }

        Place(EngagementKind.Opened, cell, minute, count);
    }

    /// <summary>Counts shares of <paramref name="generation"/> on <paramref name="channel"/>.</summary>
    public void AddShared(string cell, long minute, ShareChannel channel, int generation, long count = 1)
    {
        Shares += count;
        _sharesByChannel[(int)channel] += count;
        Generation(generation, count, 0);
        Place(EngagementKind.Shared, cell, minute, count);
    }

    /// <summary>Counts sightings in the cell they were seen in.</summary>
    public void AddSighted(string cell, long minute, long count = 1)
    {
        Sightings += count;
        Place(EngagementKind.Sighted, cell, minute, count);
    }

    /// <summary>Counts refused events.</summary>
    public void AddRefused(long count) => Refused += count;

    /// <summary>The figures as admins read them.</summary>
    public CaseEngagementStats ToStats(string caseId, CaseStatus status, long pushed, long suppressed) => new(
        caseId, status, pushed, Delivered, Opened, OpenedByPushed, pushed == 0 ? 0 : (double)OpenedByPushed / pushed,
        Shares, new ShareCounts(_sharesByChannel[0], _sharesByChannel[1], _sharesByChannel[2], _sharesByChannel[3]),
        OpensThroughShares, MaxShareDepth, Sightings, suppressed, Refused,
        _generations.OrderBy(g => g.Key).Select(g => new GenerationEngagement(g.Key, g.Value.Shares, g.Value.Opens)).ToList(),
        _cells.OrderByDescending(c => c.Value.Opened).ThenByDescending(c => c.Value.Delivered).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new CellEngagement(c.Key, c.Value.Delivered, c.Value.Opened, c.Value.Shares, c.Value.Sightings)).ToList(),
        _minutes
            .Select(m => new MinuteEngagement(DateTimeOffset.FromUnixTimeMilliseconds(m.Key * 60_000), m.Value.Delivered, m.Value.Opened, m.Value.Shares, m.Value.Sightings)).ToList());

    private void Generation(int generation, long shares, long opens)
    {
        MaxShareDepth = Math.Max(MaxShareDepth, generation);
        var listed = Math.Min(generation, options.MaxListedGenerations);
        var (s, o) = _generations.GetValueOrDefault(listed);
        _generations[listed] = (s + shares, o + opens);
    }

    private void Place(EngagementKind kind, string cell, long minute, long count)
    {
        if (!_cells.ContainsKey(cell) && _cells.Count >= options.MaxMapCells) cell = CellEngagement.Overflow;
        CollectionsMarshal.GetValueRefOrAddDefault(_cells, cell, out _).Add(kind, count);

        if (!_minutes.ContainsKey(minute) && _minutes.Count >= options.MaxTimelineMinutes)
        {
            // Full: the oldest minute makes room by merging into the next oldest (or takes this one, if it is older still).
            var (oldest, merged) = _minutes.First();
            if (minute < oldest)
            {
                minute = oldest;
            }
            else
            {
                _minutes.Remove(oldest);
                var into = _minutes.Count > 0 ? Math.Min(_minutes.First().Key, minute) : minute;
                var counts = _minutes.GetValueOrDefault(into);
                counts.Add(merged);
                _minutes[into] = counts;
            }
        }

        var bucket = _minutes.GetValueOrDefault(minute);
        bucket.Add(kind, count);
        _minutes[minute] = bucket;
    }
}
