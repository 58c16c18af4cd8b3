namespace Alerts.Grains;

/// <summary>Where an index reads a slot's user id: the table that owns the slots (a struct, so the lookup inlines).</summary>
internal interface ISlotIds
{
    /// <summary>The user id held at <paramref name="slot"/>.</summary>
    long IdAt(int slot);
}

/// <summary>
/// An index from user id to a slot in a table its owner keeps (the ids among it): open addressing with linear probing
/// over an int array. Each entry holds slot + 1 (0 = free) in its low 26 bits and 6 bits of the id's hash above them, so
/// a probe reads the owner's row only when those bits match: the table can run 85 % full, and grows by a third (any size,
/// not powers of two), about 6 bytes a user where a Dictionary&lt;long, int&gt; costs about 40.
/// </summary>
internal sealed class UserSlotIndex
{
    /// <summary>The most slots an index can address (26 bits).</summary>
    public const int MaxSlots = (1 << SlotBits) - 1;

    private const int SlotBits = 26;
    private const int SlotMask = (1 << SlotBits) - 1;
    private const int TagBits = 32 - SlotBits;
    // Full up to 85 %: a miss scans a run of ints in one array, and the tags keep it from touching the rows.
    private const double MaxLoad = 0.85;
    private int[] _table = new int[8];
    private int _count;

    /// <summary>How many users the index holds.</summary>
    public int Count => _count;

    /// <summary>Bytes the index holds on the heap: itself and its table.</summary>
    public long HeapBytes => Grains.HeapBytes.OfObject(IntPtr.Size + sizeof(int)) + Grains.HeapBytes.OfArray(_table.Length, sizeof(int));

    /// <summary>The slot of <paramref name="userId"/>, or -1.</summary>
    public int Find<TIds>(long userId, TIds ids) where TIds : struct, ISlotIds
    {
        var (home, tag) = Hash(userId);
        for (var i = home; ; i = Next(i))
        {
            var entry = _table[i];
            if (entry == 0) return -1;
            if ((entry >>> SlotBits) == tag && ids.IdAt((entry & SlotMask) - 1) == userId) return (entry & SlotMask) - 1;
        }
    }

    /// <summary>Adds a user that is not in the index at <paramref name="slot"/> (where the owner already holds it).</summary>
    public void Add<TIds>(long userId, int slot, TIds ids) where TIds : struct, ISlotIds
    {
        if (slot >= MaxSlots) throw new InvalidOperationException($"a table holds at most {MaxSlots:N0} users");
        if (_count + 1 > _table.Length * MaxLoad) Resize(_table.Length + Math.Max(1, _table.Length / 3), ids);
        Place(userId, slot);
        _count++;
    }

    /// <summary>Removes a user (while the owner still holds it at its slot); false when absent.</summary>
    public bool Remove<TIds>(long userId, TIds ids) where TIds : struct, ISlotIds
    {
        var (home, tag) = Hash(userId);
        var i = home;
        while (true)
        {
            var entry = _table[i];
            if (entry == 0) return false;
            if ((entry >>> SlotBits) == tag && ids.IdAt((entry & SlotMask) - 1) == userId) break;
            i = Next(i);
        }

        // Backward shift: pull later entries of the probe run into the gap, so no lookup stops early at it.
        var gap = i;
        for (var j = Next(gap); _table[j] != 0; j = Next(j))
        {
            var entryHome = Hash(ids.IdAt((_table[j] & SlotMask) - 1)).Home;
            var between = gap <= j ? entryHome > gap && entryHome <= j : entryHome > gap || entryHome <= j;
            if (between) continue;
            _table[gap] = _table[j];
            gap = j;
        }

        _table[gap] = 0;
        _count--;
        return true;
    }

    /// <summary>Points a user's entry at a new slot (its owner moved it and holds it at the old slot still).</summary>
    public void Move(long userId, int from, int to)
    {
        for (var i = Hash(userId).Home; ; i = Next(i))
        {
            if (_table[i] == 0) throw new InvalidOperationException($"user {userId} is not in the index");
            if ((_table[i] & SlotMask) == from + 1)
            {
                _table[i] = (_table[i] & ~SlotMask) | (to + 1);
                return;
            }
        }
    }

    private void Place(long userId, int slot)
    {
        var (home, tag) = Hash(userId);
        var i = home;
        while (_table[i] != 0) i = Next(i);
        _table[i] = (tag << SlotBits) | (slot + 1);
    }

    /// <summary>Makes room for <paramref name="users"/> at once (a shard's rows at activation).</summary>
    public void EnsureCapacity<TIds>(int users, TIds ids) where TIds : struct, ISlotIds
    {
        if (users > _table.Length * MaxLoad) Resize((int)Math.Ceiling(users / MaxLoad), ids);
    }

    private void Resize<TIds>(int size, TIds ids) where TIds : struct, ISlotIds
    {
        var old = _table;
        _table = new int[size];
        foreach (var entry in old)
        {
            if (entry != 0) Place(ids.IdAt((entry & SlotMask) - 1), (entry & SlotMask) - 1);
        }
    }

    private int Next(int i) => i + 1 == _table.Length ? 0 : i + 1;

    // Fibonacci hashing: user ids are often sequential, and the multiply spreads them over the product's top bits. The
    // home scales the top 32 bits to the table's size (no modulo, any size); the tag comes from bits below them, so ids
    // sharing a home rarely share a tag.
    private (int Home, int Tag) Hash(long userId)
    {
        var product = (ulong)userId * 0x9E3779B97F4A7C15UL;
        return ((int)(((product >> 32) * (ulong)_table.Length) >> 32), (int)((product >> 20) & ((1 << TagBits) - 1)));
    }
}
