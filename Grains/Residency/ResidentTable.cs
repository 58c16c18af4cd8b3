using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>
/// A cell grain's residents: 20-byte rows (id with the opt-out flag in its sign bit, position as a <see cref="GridPoint"/>,
/// fix time in a 32-bit <see cref="FixWindow"/>) in pages, plus an id→slot index: 26–29 bytes a resident, no object per
/// user. Positions are kept rounded to the grid (1 cm), so <see cref="Within"/> answers exactly for everyone but the few
/// within a grid step of the edge, whom it names for the caller to settle from the stored positions. Removal moves the
/// last row into the gap. User ids must be positive (the gateway's contract checks it).
/// </summary>
internal sealed class ResidentTable
{
    /// <summary>
    /// How near the edge a rounded position leaves the answer open: twice the grid's offset, since the computed
    /// distances' own rounding is a billionth of it.
    /// </summary>
    public static readonly double NearEdgeMeters = 2 * GridPoint.MaxOffsetMeters;

    private readonly PagedArray<Row> _rows = new();
    private readonly UserSlotIndex _slots = new();
    private FixWindow _fixes;
    // No resident's fix is older (a bound, not the minimum: removals do not raise it), so a purge that finds nothing
    // stale, as every collection's does, needs no scan.
    private long _oldestFixMs = long.MaxValue;

    /// <summary>Bytes the table holds on the heap: itself, its rows and its index.</summary>
    public long HeapBytes => Grains.HeapBytes.OfObject(2 * IntPtr.Size + Unsafe.SizeOf<FixWindow>() + sizeof(int) + sizeof(long)) + _rows.HeapBytes + _slots.HeapBytes;

    /// <summary>Number of residents.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a resident or replaces their position.</summary>
    public void Upsert(in ResidentFix fix)
    {
        if (fix.UserId <= 0) throw new ArgumentOutOfRangeException(nameof(fix), fix.UserId, "a resident's user id must be positive");
        if (!_fixes.Fits(fix.FixUnixMs)) MoveWindow(fix.FixUnixMs);
        var fixOffset = _fixes.Offset(fix.FixUnixMs);
        _oldestFixMs = Math.Min(_oldestFixMs, fix.FixUnixMs);
        var slot = _slots.Find(fix.UserId, new Ids(_rows));
        if (slot < 0)
        {
            _rows.EnsureCapacity(Count + 1);
            slot = Count++;
            _rows[slot].Set(fix.UserId, fix.OptedOut);
            _slots.Add(fix.UserId, slot, new Ids(_rows));
        }

        ref var row = ref _rows[slot];
        row.Set(fix.UserId, fix.OptedOut);
        row.Position = GridPoint.Of(fix.Latitude, fix.Longitude);
        row.Fix = fixOffset;
    }

    /// <summary>Whether the user is resident.</summary>
    public bool Contains(long userId) => _slots.Find(userId, new Ids(_rows)) >= 0;

    /// <summary>A resident as <see cref="this[int]"/> reads them; false when absent.</summary>
    public bool TryGet(long userId, out ResidentFix fix)
    {
        var slot = _slots.Find(userId, new Ids(_rows));
        fix = slot < 0 ? default : this[slot];
        return slot >= 0;
    }

    /// <summary>Removes a resident; false when absent.</summary>
    public bool Remove(long userId) => Remove(userId, out _);

    /// <summary>Removes a resident and says where they were; false when absent.</summary>
    public bool Remove(long userId, out ResidentFix removed)
    {
        var slot = _slots.Find(userId, new Ids(_rows));
        if (slot < 0)
        {
            removed = default;
            return false;
        }

        removed = this[slot];
        _slots.Remove(userId, new Ids(_rows));
        var last = --Count;
        if (slot != last)
        {
            _rows[slot] = _rows[last];
            _slots.Move(_rows[slot].UserId, last, slot);
        }

        return true;
    }

    /// <summary>Sets a resident's opt-out flag; false when absent.</summary>
    public bool SetOptOut(long userId, bool optedOut)
    {
        var slot = _slots.Find(userId, new Ids(_rows));
        if (slot < 0) return false;
        _rows[slot].Set(userId, optedOut);
        return true;
    }

    /// <summary>
    /// The resident in a slot (0 ≤ slot &lt; Count): the position as its grid point (in the same cell as the reported
    /// one), the fix time as <see cref="FixWindow"/> reads it back.
    /// </summary>
    public ResidentFix this[int slot]
    {
        get
        {
            ref var row = ref _rows[slot];
            return new ResidentFix(row.UserId, row.Position.Latitude, row.Position.Longitude, _fixes.Read(row.Fix), row.OptedOut);
        }
    }

    /// <summary>
    /// Writes the residents inside the circle, fixed at or after <paramref name="freshAfterMs"/> and not opted out, with
    /// their distances, into <paramref name="ids"/> and <paramref name="distances"/> (Count long at least); returns how
    /// many. Those within <see cref="NearEdgeMeters"/> of the edge, whom the rounded positions cannot place, go to
    /// <paramref name="nearEdge"/> instead, with their rounded distances. When <paramref name="allInside"/> (the block lies wholly inside, so every
    /// resident's true position is), only the distances are computed.
    /// </summary>
    public int Within(in GeoCircle circle, bool allInside, long freshAfterMs, long[] ids, float[] distances, List<(long UserId, double RoundedDistance)> nearEdge)
    {
        // Widened by the band, so everyone who may be inside comes back with a distance to judge by.
        var test = new CircleTest(circle, NearEdgeMeters);
        var surelyInside = circle.RadiusMeters - NearEdgeMeters;
        var freshFrom = _fixes.OffsetFrom(freshAfterMs);
        var found = 0;
        for (int page = 0, start = 0; start < Count; page++, start += PagedArray<Row>.PageSize)
        {
            foreach (ref readonly var row in _rows.Page(page, Math.Min(PagedArray<Row>.PageSize, Count - start)))
            {
                if (row.IdAndOptOut < 0 || row.Fix < freshFrom) continue;
                double distance;
                if (allInside) distance = test.DistanceTo(row.Position.Latitude, row.Position.Longitude);
                else if (!test.Contains(row.Position.Latitude, row.Position.Longitude, out distance)) continue;
                else if (distance > surelyInside)
                {
                    nearEdge.Add((row.UserId, distance));
                    continue;
                }

                ids[found] = row.UserId;
                distances[found++] = (float)distance; // the order needs no more than a float (nor the 1 cm of rounding)
            }
        }

        return found;
    }

    /// <summary>Removes residents whose fix is older than the cutoff; returns how many. Scans only when one may be.</summary>
    public int RemoveOlderThan(long cutoffMs)
    {
        if (_oldestFixMs >= cutoffMs) return 0;
        var keepFrom = _fixes.OffsetFrom(cutoffMs);
        var removed = 0;
        var oldestKept = uint.MaxValue;
        for (var slot = Count - 1; slot >= 0; slot--)
        {
            var fix = _rows[slot].Fix;
            if (fix >= keepFrom)
            {
                oldestKept = Math.Min(oldestKept, fix);
                continue;
            }

            Remove(_rows[slot].UserId);
            removed++;
        }

        _oldestFixMs = Count == 0 ? long.MaxValue : _fixes.Read(oldestKept);
        return removed;
    }

    // Time moved past the window (weeks after its first fix): every stored fix is re-expressed from the new start.
    private void MoveWindow(long fixMs)
    {
        var shift = _fixes.MoveTo(fixMs);
        for (var slot = 0; slot < Count; slot++) _rows[slot].Fix = FixWindow.Moved(_rows[slot].Fix, shift);
    }

    /// <summary>One resident as stored. Packed to 4 bytes: 20 bytes a row, not 24.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Row
    {
        public long IdAndOptOut;
        public GridPoint Position;
        public uint Fix;

        public readonly long UserId => IdAndOptOut & long.MaxValue;

        public readonly bool OptedOut => IdAndOptOut < 0;

        public void Set(long userId, bool optedOut) => IdAndOptOut = optedOut ? userId | long.MinValue : userId;
    }

    private readonly struct Ids(PagedArray<Row> rows) : ISlotIds
    {
        public long IdAt(int slot) => rows[slot].UserId;
    }
}
