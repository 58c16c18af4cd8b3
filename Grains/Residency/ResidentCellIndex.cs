using System.Collections.Concurrent;
using Alerts.Geo;

namespace Alerts.Grains;

/// <summary>
/// Which cells have rows in the residents table, loaded once at start-up: a cell that activates with
/// no rows (most cells, the first time a user is seen there) skips its load query. Only a silo that
/// writes every row itself can know that; in a cluster other silos write rows too, so the index is off
/// (<paramref name="authoritative"/> false) and every cell loads.
/// </summary>
public sealed class ResidentCellIndex(bool authoritative)
{
    private readonly ConcurrentDictionary<long, byte> _cells = new();

    /// <summary>Replaces the index with the stored cells.</summary>
    public void Load(IEnumerable<long> cells)
    {
        _cells.Clear();
        foreach (var cell in cells) _cells.TryAdd(cell, 0);
    }

    /// <summary>False only when the cell certainly has no stored residents.</summary>
    public bool MayHaveRows(Geohash cell) => !authoritative || _cells.ContainsKey(cell.Packed);

    /// <summary>Notes that a cell has written rows.</summary>
    public void Add(Geohash cell) => _cells.TryAdd(cell.Packed, 0);
}
