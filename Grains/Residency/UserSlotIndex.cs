namespace Alerts.Grains;

/// <summary>
/// An index from user id to a slot in parallel arrays its owner keeps (the ids among them): open addressing
/// with linear probing over an int array holding slot + 1 (0 = free). About 6 bytes a user where a
/// Dictionary&lt;long, int&gt; costs about 40: with millions of residents per silo the index is most of it.
/// </summary>
internal sealed class UserSlotIndex
{
    // Grow past 70 % full: linear probing stays short, the table stays under 6 bytes a user on average.
    private const double MaxLoad = 0.7;
    private int[] _table = new int[8];
    private int _shift = 64 - 3;
    private int _count;

    /// <summary>How many users the index holds.</summary>
    public int Count => _count;

    /// <summary>The slot of <paramref name="userId"/>, or -1; <paramref name="ids"/> are the owner's ids by slot.</summary>
    public int Find(long userId, long[] ids)
    {
        var mask = _table.Length - 1;
        for (var i = Home(userId); ; i = (i + 1) & mask)
        {
            var entry = _table[i];
            if (entry == 0) return -1;
            if (ids[entry - 1] == userId) return entry - 1;
        }
    }

    /// <summary>Adds a user that is not in the index at <paramref name="slot"/> (where <paramref name="ids"/> already holds it).</summary>
    public void Add(long userId, int slot, long[] ids)
    {
        if (_count + 1 > _table.Length * MaxLoad) Resize(_table.Length * 2, ids);
        Place(userId, slot);
        _count++;
    }

    /// <summary>Removes a user (while <paramref name="ids"/> still holds it at its slot); false when absent.</summary>
    public bool Remove(long userId, long[] ids)
    {
        var mask = _table.Length - 1;
        var i = Home(userId);
        while (true)
        {
            var entry = _table[i];
            if (entry == 0) return false;
            if (ids[entry - 1] == userId) break;
            i = (i + 1) & mask;
        }

        // Backward shift: pull later entries of the probe run into the gap, so no lookup stops early at it.
        var gap = i;
        for (var j = (gap + 1) & mask; _table[j] != 0; j = (j + 1) & mask)
        {
            var home = Home(ids[_table[j] - 1]);
            var between = gap <= j ? home > gap && home <= j : home > gap || home <= j;
            if (between) continue;
            _table[gap] = _table[j];
            gap = j;
        }

        _table[gap] = 0;
        _count--;
        return true;
    }

    /// <summary>Points a user's entry at a new slot (its owner moved it; <paramref name="ids"/> holds it at the old slot still).</summary>
    public void Move(long userId, int from, int to)
    {
        var mask = _table.Length - 1;
        for (var i = Home(userId); ; i = (i + 1) & mask)
        {
            if (_table[i] == 0) throw new InvalidOperationException($"user {userId} is not in the index");
            if (_table[i] == from + 1)
            {
                _table[i] = to + 1;
                return;
            }
        }
    }

    /// <summary>Drops every entry and shrinks to the smallest table.</summary>
    public void Clear()
    {
        _table = new int[8];
        _shift = 64 - 3;
        _count = 0;
    }

    private void Place(long userId, int slot)
    {
        var mask = _table.Length - 1;
        var i = Home(userId);
        while (_table[i] != 0) i = (i + 1) & mask;
        _table[i] = slot + 1;
    }

    private void Resize(int size, long[] ids)
    {
        var old = _table;
        _table = new int[size];
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)size);
        foreach (var entry in old)
        {
            if (entry != 0) Place(ids[entry - 1], entry - 1);
        }
    }

    // Fibonacci hashing: user ids are often sequential, and the multiply spreads them over the table's top bits.
    private int Home(long userId) => (int)(((ulong)userId * 0x9E3779B97F4A7C15UL) >> _shift);
}
