namespace Alerts.Client;

/// <summary>
/// The batch ids already delivered, bounded: beyond the capacity the oldest id (first added) is
/// forgotten. The hub resends a batch only while it is unacknowledged, so a redelivery follows its
/// first delivery closely; a million ids cover far more than any gateway has in flight. Not thread-safe.
/// </summary>
internal sealed class DeliveredBatchIds
{
    private readonly HashSet<long> _ids = [];
    private readonly Queue<long> _order = new();

    /// <summary>A set that remembers at most <paramref name="capacity"/> ids.</summary>
    public DeliveredBatchIds(int capacity)
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
