using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>
/// A cell grain's residents in parallel arrays (id, latitude, longitude, fix time, opt-out) plus an id→slot
/// index: about 40 bytes a resident, no object per user. Removal moves the last slot into the gap.
/// </summary>
internal sealed class ResidentTable
{
    private readonly UserSlotIndex _slots = new();
    private long[] _ids = [];
    private double[] _lat = [];
    private double[] _lon = [];
    private long[] _fixMs = [];
    private bool[] _optedOut = [];

    /// <summary>Number of residents.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a resident or replaces their position.</summary>
    public void Upsert(in ResidentFix fix)
    {
        var slot = _slots.Find(fix.UserId, _ids);
        if (slot < 0)
        {
            if (Count == _ids.Length) Grow();
            slot = Count++;
            _ids[slot] = fix.UserId;
            _slots.Add(fix.UserId, slot, _ids);
        }

        _lat[slot] = fix.Latitude;
        _lon[slot] = fix.Longitude;
        _fixMs[slot] = fix.FixUnixMs;
        _optedOut[slot] = fix.OptedOut;
    }

    /// <summary>Whether the user is resident.</summary>
    public bool Contains(long userId) => _slots.Find(userId, _ids) >= 0;

    /// <summary>Removes a resident; false when absent.</summary>
    public bool Remove(long userId) => Remove(userId, out _);

    /// <summary>Removes a resident and says where they were; false when absent.</summary>
    public bool Remove(long userId, out ResidentFix removed)
    {
        var slot = _slots.Find(userId, _ids);
        if (slot < 0)
        {
            removed = default;
            return false;
        }

        removed = this[slot];
        _slots.Remove(userId, _ids);
        var last = --Count;
        if (slot != last)
        {
            _ids[slot] = _ids[last];
            _lat[slot] = _lat[last];
            _lon[slot] = _lon[last];
            _fixMs[slot] = _fixMs[last];
            _optedOut[slot] = _optedOut[last];
            _slots.Move(_ids[slot], last, slot);
        }

        return true;
    }

    /// <summary>Sets a resident's opt-out flag; false when absent.</summary>
    public bool SetOptOut(long userId, bool optedOut)
    {
        var slot = _slots.Find(userId, _ids);
        if (slot < 0) return false;
        _optedOut[slot] = optedOut;
        return true;
    }

    /// <summary>The resident in a slot (0 ≤ slot &lt; Count).</summary>
    public ResidentFix this[int slot] => new(_ids[slot], _lat[slot], _lon[slot], _fixMs[slot], _optedOut[slot]);

    /// <summary>
    /// Writes the residents inside the circle, fixed at or after <paramref name="freshAfterMs"/> and not opted out, with
    /// their distances, into <paramref name="ids"/> and <paramref name="distances"/> (Count long at least); returns how
    /// many. When <paramref name="allInside"/> (the block lies wholly inside), only the distances are computed.
    /// </summary>
    public int Within(in CircleTest test, bool allInside, long freshAfterMs, long[] ids, float[] distances)
    {
        var found = 0;
        for (var slot = 0; slot < Count; slot++)
        {
            if (_optedOut[slot] || _fixMs[slot] < freshAfterMs) continue;
            double distance;
            if (allInside) distance = test.DistanceTo(_lat[slot], _lon[slot]);
            else if (!test.Contains(_lat[slot], _lon[slot], out distance)) continue;
            ids[found] = _ids[slot];
            distances[found++] = (float)distance; // the exact test is done; the order needs no more than a float
        }

        return found;
    }

    /// <summary>Removes residents whose fix is older than the cutoff; returns how many.</summary>
    public int RemoveOlderThan(long cutoffMs)
    {
        var removed = 0;
        for (var slot = Count - 1; slot >= 0; slot--)
        {
            if (_fixMs[slot] >= cutoffMs) continue;
            Remove(_ids[slot]);
            removed++;
        }

        return removed;
    }

    // Half as much again, not double: less room left empty in the thousands of cells a silo keeps.
    private void Grow()
    {
        var size = Math.Max(8, _ids.Length + _ids.Length / 2);
        Array.Resize(ref _ids, size);
        Array.Resize(ref _lat, size);
        Array.Resize(ref _lon, size);
        Array.Resize(ref _fixMs, size);
        Array.Resize(ref _optedOut, size);
    }
}
