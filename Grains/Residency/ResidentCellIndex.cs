using System.Collections.Concurrent;

namespace Alerts.Grains;

/// <summary>
/// Which cells have rows in the residents table, loaded once at start-up: a cell that activates with
/// no rows (most cells, the first time a user is seen there) skips its load query.
/// </summary>
public sealed class ResidentCellIndex
{
    private readonly ConcurrentDictionary<string, byte> _cells = new(StringComparer.Ordinal);

    /// <summary>Replaces the index with the stored cells.</summary>
    public void Load(IEnumerable<string> cells)
    {
        _cells.Clear();
        foreach (var cell in cells) _cells.TryAdd(cell, 0);
    }

    /// <summary>False only when the cell certainly has no stored residents.</summary>
    public bool MayHaveRows(string cell) => _cells.ContainsKey(cell);

    /// <summary>Notes that a cell has written rows.</summary>
    public void Add(string cell) => _cells.TryAdd(cell, 0);
}
