namespace Alerts.Grains;

/// <summary>The last few thousand batch ids seen, oldest forgotten first: a bounded memory for "was this one already done?".</summary>
public sealed class RecentBatchIds(int capacity)
{
    private readonly HashSet<long> _ids = [];
    private readonly Queue<long> _order = new();

    /// <summary>Remembers <paramref name="batchId"/>, forgetting the oldest beyond the capacity.</summary>
    public void Add(long batchId)
    {
        if (!_ids.Add(batchId)) return;
        _order.Enqueue(batchId);
        if (_order.Count > capacity) _ids.Remove(_order.Dequeue());
    }

    /// <summary>True when <paramref name="batchId"/> is among the remembered ones.</summary>
    public bool Contains(long batchId) => _ids.Contains(batchId);
}
