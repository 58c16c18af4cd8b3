using System.Threading.Channels;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>A manual clock that tells the test each timer armed on it, so the test moves it only once the code waits.</summary>
public sealed class WatchedClock : TimeProvider
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _clock = new();
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        _armed.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer armed (a timeout when none is armed within 30 s).</summary>
    public async Task<TimeSpan> NextTimerAsync() => await _armed.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>Moves the clock, firing the timers that come due.</summary>
    public void Advance(TimeSpan by) => _clock.Advance(by);
}
