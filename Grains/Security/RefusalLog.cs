using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Logs refused client calls without letting a flood of them flood the log: the first refusal of a caller for a reason
/// at once, its repeats within <see cref="Window"/> only counted, and the count given with the next warning.
/// </summary>
public sealed class RefusalLog(TimeProvider time, ILogger<CallAuthorization> logger)
    : ThrottledWarning<(string Caller, string Reason)>(time, Window, MostRemembered)
{
    /// <summary>How long the repeats of a logged refusal (same caller, same reason) are counted instead of logged.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Most callers and reasons remembered at once; refusals of others beyond them are counted together.</summary>
    public const int MostRemembered = 10_000;

    // Refusals come from every call filter at once; the throttle itself is not thread-safe.
    private readonly object _gate = new();

    /// <summary>A call from <paramref name="caller"/> (a client's id) was refused for <paramref name="reason"/>.</summary>
    public void Refused(string caller, string reason)
    {
        lock (_gate) Occurred((caller, reason));
    }

    protected override void Log((string Caller, string Reason) key, long items, HeldBack? heldBack)
    {
        if (heldBack is { } repeats)
            logger.LogWarning("Refused a call from client {Source}: {Reason} ({Repeats} more such refusals since {Since:O} were not logged)", key.Caller, key.Reason, repeats.Count, repeats.Since);
        else
            logger.LogWarning("Refused a call from client {Source}: {Reason}", key.Caller, key.Reason);
    }

    protected override void LogHeldBack((string Caller, string Reason) key, HeldBack heldBack) =>
        logger.LogWarning("Refused {Repeats} more calls from client {Source} since {Since:O} without logging them: {Reason}", heldBack.Count, key.Caller, heldBack.Since, key.Reason);

    protected override void LogFirstUnremembered((string Caller, string Reason) key, long items) =>
        logger.LogWarning("Refused a call from client {Source}: {Reason} (more than {Most} callers refused within {Window}: further ones are counted, not logged)", key.Caller, key.Reason, MostRemembered, Window);

    protected override void LogUnremembered(long count) =>
        logger.LogWarning("Refused {Count} calls from further clients without logging them: more than {Most} callers were refused within {Window}", count, MostRemembered, Window);
}
