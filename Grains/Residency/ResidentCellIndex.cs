using System.Collections.Concurrent;
using Alerts.Geo;

namespace Alerts.Grains;

/// <summary>
/// Which blocks (see <see cref="AlertsOptions.BlockPrecision"/>) have rows in the residents table, loaded once at
/// start-up: a cell grain whose block has no rows (the first time a user is seen there) skips its load query. Only a
/// silo that writes every row itself can know that; in a cluster other silos write rows too, so the index is off
/// (<paramref name="authoritative"/> false) and every cell grain loads.
/// </summary>
public sealed class ResidentCellIndex(bool authoritative, int blockPrecision)
{
    private readonly ConcurrentDictionary<long, byte> _blocks = new();

    /// <summary>Replaces the index with the blocks of the stored cells.</summary>
    public void Load(IEnumerable<long> cells)
    {
        _blocks.Clear();
        foreach (var cell in cells) Add(Geohash.FromPacked(cell));
    }

    /// <summary>False only when the block certainly has no stored residents.</summary>
    public bool MayHaveRows(Geohash block) => !authoritative || _blocks.ContainsKey(block.Packed);

    /// <summary>Notes that a cell has written rows (called for every row written: a lock-free read when the block is known).</summary>
    public void Add(Geohash cell)
    {
        // An index that is off answers "may have rows" for every block: nothing to note.
        if (!authoritative) return;
        var block = cell.Parent(blockPrecision).Packed;
        if (!_blocks.ContainsKey(block)) _blocks.TryAdd(block, 0);
    }
}
