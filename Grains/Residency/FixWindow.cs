namespace Alerts.Grains;

/// <summary>
/// Fix times in 32 bits: milliseconds from a start that the table moves forward as newer fixes come (2^32 ms is 49.7
/// days). The window spans 24.8 days either side of the fix that placed it, and it moves when a fix lands past its end,
/// so every fix from 24.8 days before the newest the table has held onwards reads back exactly. An older one reads as
/// the window's start, later than it was but still at least 24.8 days before that newest fix: the product keeps
/// positions for less than that (<see cref="AlertsOptions.MaxPositionAge"/> plus the clock skew is capped at 24 days),
/// so a position that reads inexactly is stale either way, and the freshness test answers the same. So does the
/// directory's newest-fix rule: the gateway's fixes are never older than that, so each is newer than any inexact read.
/// </summary>
internal struct FixWindow
{
    private const long Half = 1L << 31;
    private long _start;
    private bool _placed;

    /// <summary>Whether <paramref name="fixMs"/> fits the window without moving it.</summary>
    public readonly bool Fits(long fixMs) => !_placed || fixMs - _start <= uint.MaxValue;

    /// <summary>The offset of <paramref name="fixMs"/> (which <see cref="Fits"/>); a fix before the window reads as its start.</summary>
    public uint Offset(long fixMs)
    {
        if (!_placed)
        {
            _start = fixMs - Half;
            _placed = true;
        }

        return fixMs < _start ? 0 : (uint)(fixMs - _start);
    }

    /// <summary>Moves the window to centre on <paramref name="fixMs"/>; returns how far its start moved, for <see cref="Moved"/>.</summary>
    public long MoveTo(long fixMs)
    {
        var start = fixMs - Half;
        var shift = start - _start;
        _start = start;
        return shift;
    }

    /// <summary>An offset after the start moved by <paramref name="shift"/>: fixes now before the start read as it.</summary>
    public static uint Moved(uint offset, long shift) => offset <= shift ? 0 : (uint)(offset - shift);

    /// <summary>The fix time an offset stands for.</summary>
    public readonly long Read(uint offset) => _start + offset;

    /// <summary>The offset from which fixes are at or after <paramref name="ms"/>: compare a stored offset (widened) with it.</summary>
    public readonly long OffsetFrom(long ms) => ms - _start;
}
