using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Logs refused client calls without letting a flood of them flood the log: the first refusal of a caller for a reason
/// at once, its repeats within <see cref="Window"/> only counted, and the count given with the next warning.
/// </summary>
public sealed class RefusalLog(TimeProvider time, ILogger<CallAuthorization> logger)
{
    /// <summary>How long the repeats of a logged refusal (same caller, same reason) are counted instead of logged.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Most callers and reasons remembered at once; refusals of others beyond them are counted together.</summary>
    public const int MostRemembered = 10_000;

    private readonly object _gate = new();
    private readonly Dictionary<(string Caller, string Reason), Repeats> _recent = new();
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;
    // Refusals not logged because the table was full, since the last sweep.
    private long _unremembered;

    /// <summary>A call from <paramref name="caller"/> (a client's id) was refused for <paramref name="reason"/>.</summary>
    public void Refused(string caller, string reason)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var key = (caller, reason);
            // Looked up before the sweep, so a repeat past its window is logged once, with its count, not swept apart.
            var known = _recent.TryGetValue(key, out var repeats);
            if (known && now - repeats!.Since < Window)
            {
                repeats.Count++;
                Sweep(now, key);
                return;
            }

            Sweep(now, key);
            if (!known && _recent.Count >= MostRemembered)
            {
                // Callers by the ten thousand (a client reconnecting in a loop, say) are one line, not one each.
                if (_unremembered++ == 0)
                    logger.LogWarning("Refused a call from client {Source}: {Reason} (more than {Most} callers refused within {Window}: further ones are counted, not logged)", caller, reason, MostRemembered, Window);
                return;
            }

            _recent[key] = new Repeats(now);
            if (repeats is { Count: > 0 })
                logger.LogWarning("Refused a call from client {Source}: {Reason} ({Repeats} more such refusals since {Since:O} were not logged)", caller, reason, repeats.Count, repeats.Since);
            else
                logger.LogWarning("Refused a call from client {Source}: {Reason}", caller, reason);
        }
    }

    // At most once a window: forgets the refusals whose window has passed (but the one being refused now, whose repeats
    // its own warning tells), logging the repeats they had held back.
    private void Sweep(DateTimeOffset now, (string Caller, string Reason) current)
    {
        if (now < _nextSweep) return;
        _nextSweep = now + Window;
        foreach (var (key, repeats) in _recent.Where(r => now - r.Value.Since >= Window && r.Key != current).ToList())
        {
            _recent.Remove(key);
            if (repeats.Count > 0)
                logger.LogWarning("Refused {Repeats} more calls from client {Source} since {Since:O} without logging them: {Reason}", repeats.Count, key.Caller, repeats.Since, key.Reason);
        }

        if (_unremembered > 0)
        {
            logger.LogWarning("Refused {Count} calls from further clients without logging them: more than {Most} callers were refused within {Window}", _unremembered, MostRemembered, Window);
            _unremembered = 0;
        }
    }

    // A logged refusal's repeats since it was logged.
    private sealed class Repeats(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public long Count { get; set; }
    }
}
