namespace Alerts.Grains;

/// <summary>
/// A directory shard's users in parallel arrays (id, cell, last fix time, opt-out) with an id→slot index:
/// about 40 bytes a user where a Dictionary of records costs about 65. Removal moves the last slot into the gap.
/// </summary>
internal sealed class DirectoryTable
{
    private readonly UserSlotIndex _slots = new();
    private long[] _ids = [];
    private long[] _blocks = [];
    private long[] _fixMs = [];
    private bool[] _optedOut = [];

    /// <summary>Number of users.</summary>
    public int Count { get; private set; }

    /// <summary>The user's entry, or false when the shard does not know them.</summary>
    public bool TryGet(long userId, out DirectoryEntry entry)
    {
        var slot = _slots.Find(userId, _ids);
        entry = slot < 0 ? default : new DirectoryEntry(_blocks[slot], _fixMs[slot], _optedOut[slot]);
        return slot >= 0;
    }

    /// <summary>The user's entry; a user the shard does not know reads as the empty entry (cell 0).</summary>
    public DirectoryEntry this[long userId] => TryGet(userId, out var entry) ? entry : default;

    /// <summary>Adds the user or replaces their entry.</summary>
    public void Set(long userId, DirectoryEntry entry)
    {
        var slot = _slots.Find(userId, _ids);
        if (slot < 0)
        {
            if (Count == _ids.Length) Grow();
            slot = Count++;
            _ids[slot] = userId;
            _slots.Add(userId, slot, _ids);
        }

        _blocks[slot] = entry.Block;
        _fixMs[slot] = entry.FixMs;
        _optedOut[slot] = entry.OptedOut;
    }

    /// <summary>Adds the user with the empty entry unless the shard knows them.</summary>
    public void TryAdd(long userId)
    {
        if (_slots.Find(userId, _ids) < 0) Set(userId, default);
    }

    /// <summary>Forgets a user; false when absent.</summary>
    public bool Remove(long userId)
    {
        var slot = _slots.Find(userId, _ids);
        if (slot < 0) return false;
        _slots.Remove(userId, _ids);
        var last = --Count;
        if (slot != last)
        {
            _ids[slot] = _ids[last];
            _blocks[slot] = _blocks[last];
            _fixMs[slot] = _fixMs[last];
            _optedOut[slot] = _optedOut[last];
            _slots.Move(_ids[slot], last, slot);
        }

        return true;
    }

    /// <summary>Makes room for <paramref name="users"/> at once (a shard's rows at activation), so loading does not grow step by step.</summary>
    public void EnsureCapacity(int users)
    {
        if (users > _ids.Length) Resize(users);
    }

    private void Grow() => Resize(Math.Max(8, _ids.Length + _ids.Length / 2));

    private void Resize(int size)
    {
        Array.Resize(ref _ids, size);
        Array.Resize(ref _blocks, size);
        Array.Resize(ref _fixMs, size);
        Array.Resize(ref _optedOut, size);
    }
}

/// <summary>Where a user lives (packed geohash of their block; 0 = nowhere, as a packed geohash is never 0: its low bits hold the precision), their last fix time and whether they opted out.</summary>
internal readonly record struct DirectoryEntry(long Block, long FixMs, bool OptedOut);
