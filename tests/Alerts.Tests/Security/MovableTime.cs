namespace Alerts.Tests;

/// <summary>A clock a test moves by hand; starts at the real time so tokens it stamps look ordinary.</summary>
public sealed class MovableTime : TimeProvider
{
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    /// <summary>The current time of this clock.</summary>
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock by <paramref name="by"/> (backwards when negative).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
