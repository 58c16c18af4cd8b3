namespace Alerts.Grains;

/// <summary>
/// A warning that a flood of repeats must not turn into a flood of log lines: the first occurrence of a key is logged at
/// once, its repeats within the window only counted, and the count given with the key's next warning after the window
/// (or, when none comes, at the next sweep). Not thread-safe: a grain uses it from its own turns, other callers under a lock.
/// </summary>
public abstract class ThrottledWarning<TKey>(TimeProvider time, TimeSpan window, int mostRemembered)
    where TKey : notnull
{
    private readonly Dictionary<TKey, Repeats> _recent = new();
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;
    // Occurrences not logged because the table was full, since the last sweep.
    private long _unremembered;

    /// <summary>The warning of <paramref name="key"/> happened, about <paramref name="items"/> things (refused calls, batches).</summary>
    public void Occurred(TKey key, long items = 1)
    {
        var now = time.GetUtcNow();
        // Looked up before the sweep, so a repeat past its window is logged once, with its count, not swept apart.
        var known = _recent.TryGetValue(key, out var repeats);
        if (known && now - repeats!.Since < window)
        {
            repeats.Count++;
            repeats.Items += items;
            Sweep(now, key);
            return;
        }

        Sweep(now, key);
        if (!known && _recent.Count >= mostRemembered)
        {
            // Keys by the ten thousand (a client reconnecting in a loop, say) are one line, not one each.
            if (_unremembered++ == 0) LogFirstUnremembered(key, items);
            return;
        }

        _recent[key] = new Repeats(now);
        Log(key, items, repeats is { Count: > 0 } ? new HeldBack(repeats.Count, repeats.Items, repeats.Since) : null);
    }

    /// <summary>Logs an occurrence of <paramref name="key"/>, with the repeats its window held back since the last one logged, if any.</summary>
    protected abstract void Log(TKey key, long items, HeldBack? heldBack);

    /// <summary>Logs the repeats of a key that no occurrence has logged since its window passed.</summary>
    protected abstract void LogHeldBack(TKey key, HeldBack heldBack);

    /// <summary>Logs the first occurrence of a key beyond the most remembered at once; further ones are only counted.</summary>
    protected abstract void LogFirstUnremembered(TKey key, long items);

    /// <summary>Logs how many occurrences of keys beyond the most remembered were counted since the last sweep.</summary>
    protected abstract void LogUnremembered(long count);

    // At most once a window: forgets the keys whose window has passed (but the one occurring now, whose repeats its own
    // warning tells), logging the repeats they had held back.
    private void Sweep(DateTimeOffset now, TKey current)
    {
        if (now < _nextSweep) return;
        _nextSweep = now + window;
        foreach (var (key, repeats) in _recent.Where(r => now - r.Value.Since >= window && !EqualityComparer<TKey>.Default.Equals(r.Key, current)).ToList())
        {
            _recent.Remove(key);
            if (repeats.Count > 0) LogHeldBack(key, new HeldBack(repeats.Count, repeats.Items, repeats.Since));
        }

        if (_unremembered > 0)
        {
            LogUnremembered(_unremembered);
            _unremembered = 0;
        }
    }

    // A logged occurrence's repeats since it was logged.
    private sealed class Repeats(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public long Count { get; set; }

        public long Items { get; set; }
    }
}
