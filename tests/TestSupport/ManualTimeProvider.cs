namespace Alerts.TestSupport;

/// <summary>A clock that moves only when a test says so; timers fire inside <see cref="Advance"/>.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public ManualTimeProvider() : this(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_timers) return _now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward (to a whole millisecond), firing each timer that comes due, in time order; a timer fires up
    /// to a millisecond late, so the clock may end that much past the target.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        // Whole milliseconds, as stored times are, and as timers fire: a clock left a fraction short of a waiter's
        // deadline would leave it asking for zero delays (see below) with no timer to free it.
        lock (_timers) target = WholeMillisecondAtOrAfter(_now + by);
        while (true)
        {
            ManualTimer? next;
            lock (_timers)
            {
                next = _timers.Where(t => t.Due is { } d && d <= target).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = Max(_now, target);
                    return;
                }

                // .NET hands timers whole milliseconds (Task.Delay truncates), so a waiter whose deadline has a
                // fraction of a millisecond left would ask for a zero delay again and again (Orleans' DelayUntilAsync,
                // which its reminders use, did, and hung a test run): a timer fires at the next whole millisecond after
                // it is due, as a real one fires a little late, even past the target. Timers due after the target wait
                // for the next advance even when the clock has passed them.
                var due = next.Due!.Value;
                _now = Max(_now, WholeMillisecondAfter(due));
                next.Due = next.Period > TimeSpan.Zero ? due + next.Period : null;
            }

            next.Fire();
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset WholeMillisecondAfter(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMillisecond + TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    private static DateTimeOffset WholeMillisecondAtOrAfter(DateTimeOffset time) =>
        time.UtcTicks % TimeSpan.TicksPerMillisecond == 0 ? time : WholeMillisecondAfter(time);

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._timers)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                if (!owner._timers.Contains(this)) owner._timers.Add(this);
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._timers) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
