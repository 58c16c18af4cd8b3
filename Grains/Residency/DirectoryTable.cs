using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alerts.Grains;

/// <summary>
/// A directory shard's users: 16-byte rows (id, last fix time in a 32-bit <see cref="FixWindow"/>, block and opt-out in
/// 32 bits) in pages, with an id→slot index: about 22 bytes a user where a Dictionary of records costs about 65. Blocks
/// are geohashes at one precision (at most <see cref="MaxBlockPrecision"/>), so a row keeps only the block's bits. A user
/// who is nowhere (block 0) keeps no fix time: it reads as 0, and nothing reads it (the newest-fix rule applies to
/// residents only). Removal moves the last row into the gap.
/// </summary>
internal sealed class DirectoryTable
{
    /// <summary>The finest block precision a row can hold (30 bits of geohash, plus one for "nowhere" and one for opt-out).</summary>
    public const int MaxBlockPrecision = 6;

    private const uint OptOutBit = 1u << 31;
    private readonly PagedArray<Row> _rows = new();
    private readonly UserSlotIndex _slots = new();
    private readonly int _blockPrecision;
    private FixWindow _fixes;

    /// <summary>A table for blocks at <paramref name="blockPrecision"/>.</summary>
    public DirectoryTable(int blockPrecision)
    {
        if (blockPrecision is < Geo.Geohash.MinPrecision or > MaxBlockPrecision)
            throw new ArgumentOutOfRangeException(nameof(blockPrecision), blockPrecision, $"a directory's block precision must be within [{Geo.Geohash.MinPrecision}, {MaxBlockPrecision}]");
        _blockPrecision = blockPrecision;
    }

    /// <summary>Bytes the table holds on the heap: itself, its rows and its index.</summary>
    public long HeapBytes => Grains.HeapBytes.OfObject(2 * IntPtr.Size + Unsafe.SizeOf<FixWindow>() + sizeof(int) + sizeof(int)) + _rows.HeapBytes + _slots.HeapBytes;

    /// <summary>Number of users.</summary>
    public int Count { get; private set; }

    /// <summary>The user's entry, or false when the shard does not know them.</summary>
    public bool TryGet(long userId, out DirectoryEntry entry)
    {
        var slot = _slots.Find(userId, new Ids(_rows));
        if (slot < 0)
        {
            entry = default;
            return false;
        }

        ref var row = ref _rows[slot];
        var block = row.BlockAndOptOut & ~OptOutBit;
        // The packed geohash: its bits, then four bits of precision (see Geohash.Packed); 0 = nowhere.
        var optedOut = (row.BlockAndOptOut & OptOutBit) != 0;
        entry = block == 0
            ? new DirectoryEntry(0, 0, optedOut)
            : new DirectoryEntry(((long)(block - 1) << 4) | (uint)_blockPrecision, _fixes.Read(row.Fix), optedOut);
        return true;
    }

    /// <summary>The user's entry; a user the shard does not know reads as the empty entry (cell 0).</summary>
    public DirectoryEntry this[long userId] => TryGet(userId, out var entry) ? entry : default;

    /// <summary>Adds the user or replaces their entry; the block must be at the table's precision (or 0).</summary>
    public void Set(long userId, DirectoryEntry entry)
    {
        if (entry.Block != 0 && (entry.Block & 0xF) != _blockPrecision)
            throw new ArgumentException($"block {entry.Block} is not a geohash at the directory's precision {_blockPrecision}", nameof(entry));
        if (entry.Block != 0 && !_fixes.Fits(entry.FixMs)) MoveWindow(entry.FixMs);
        var slot = _slots.Find(userId, new Ids(_rows));
        if (slot < 0)
        {
            _rows.EnsureCapacity(Count + 1);
            slot = Count++;
            _rows[slot].UserId = userId;
            _slots.Add(userId, slot, new Ids(_rows));
        }

        ref var row = ref _rows[slot];
        row.Fix = entry.Block == 0 ? 0 : _fixes.Offset(entry.FixMs);
        row.BlockAndOptOut = (entry.Block == 0 ? 0 : (uint)(entry.Block >> 4) + 1) | (entry.OptedOut ? OptOutBit : 0);
    }

    /// <summary>Forgets a user; false when absent.</summary>
    public bool Remove(long userId)
    {
        var slot = _slots.Find(userId, new Ids(_rows));
        if (slot < 0) return false;
        _slots.Remove(userId, new Ids(_rows));
        var last = --Count;
        if (slot != last)
        {
            _rows[slot] = _rows[last];
            _slots.Move(_rows[slot].UserId, last, slot);
        }

        return true;
    }

    /// <summary>Makes room for <paramref name="users"/> at once (a shard's rows at activation), so loading does not grow step by step.</summary>
    public void EnsureCapacity(int users)
    {
        _rows.EnsureCapacity(users);
        _slots.EnsureCapacity(users, new Ids(_rows));
    }

    // Time moved past the window (weeks after its first fix): every resident's fix is re-expressed from the new start.
    private void MoveWindow(long fixMs)
    {
        var shift = _fixes.MoveTo(fixMs);
        for (var slot = 0; slot < Count; slot++)
            if ((_rows[slot].BlockAndOptOut & ~OptOutBit) != 0) _rows[slot].Fix = FixWindow.Moved(_rows[slot].Fix, shift);
    }

    /// <summary>One user as stored: 16 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Row
    {
        public long UserId;
        public uint Fix;
        // The block's geohash bits + 1 (0 = nowhere) and the opt-out flag in the top bit.
        public uint BlockAndOptOut;
    }

    private readonly struct Ids(PagedArray<Row> rows) : ISlotIds
    {
        public long IdAt(int slot) => rows[slot].UserId;
    }
}

/// <summary>Where a user lives (packed geohash of their block; 0 = nowhere, as a packed geohash is never 0: its low bits hold the precision), their last fix time and whether they opted out.</summary>
internal readonly record struct DirectoryEntry(long Block, long FixMs, bool OptedOut);
