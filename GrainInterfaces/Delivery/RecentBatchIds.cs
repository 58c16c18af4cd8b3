namespace Alerts.GrainInterfaces;

/// <summary>
/// Push batch ids seen recently, bounded: beyond the capacity the oldest id (first added) is forgotten.
/// Gateways drop redelivered batches with it (a resend follows its first delivery closely), and the push
/// hub refuses to queue a batch again that was already acknowledged. Not thread-safe.
/// </summary>
public sealed class RecentBatchIds
{
    private readonly HashSet<long> _ids = [];
    private readonly Queue<long> _order = new();

    /// <summary>A set that remembers at most <paramref name="capacity"/> ids.</summary>
    public RecentBatchIds(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most ids remembered.</summary>
    public int Capacity { get; }

    /// <summary>The ids remembered now.</summary>
    public int Count => _ids.Count;

    /// <summary>Whether <paramref name="batchId"/> is remembered.</summary>
    public bool Contains(long batchId) => _ids.Contains(batchId);

    /// <summary>Remembers <paramref name="batchId"/>, forgetting the oldest beyond the capacity; false if it was already remembered (its age is then unchanged).</summary>
    public bool Add(long batchId)
    {
        if (!_ids.Add(batchId)) return false;
        _order.Enqueue(batchId);
        if (_order.Count > Capacity) _ids.Remove(_order.Dequeue());
        return true;
    }

    /// <summary>The remembered ids, oldest first.</summary>
    public IEnumerable<long> OldestFirst() => _order;
}
