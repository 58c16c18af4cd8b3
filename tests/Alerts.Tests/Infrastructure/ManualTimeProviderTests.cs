using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>The tests' manual clock: an advance ends even when a waiter's deadline lies a fraction of a millisecond past it.</summary>
public sealed class ManualTimeProviderTests
{
    [Fact]
    public async Task A_waiter_whose_deadline_is_a_fraction_past_the_advance_does_not_spin_it_forever()
    {
        // Orleans' reminders wait like this (TimeProviderExtensions.DelayUntilAsync): Task.Delay truncates to whole
        // milliseconds, so the first wait ends 0.5 ms early and the second asks for 0.5 ms, which it truncates to none.
        var clock = new ManualTimeProvider();
        var deadline = clock.GetUtcNow() + TimeSpan.FromMilliseconds(1000.5);
        var waits = 0;
        // Called directly, the waiter arms its first timer before it returns.
        var waiter = WaitAsync();

        // The timer fires up to a millisecond late, past the target if need be: held at the target, the clock left the
        // waiter 0.5 ms short, which it asked for as no delay at all, again and again. Bounded, so that such a
        // regression fails here instead of hanging the run.
        await Task.Run(() => clock.Advance(TimeSpan.FromSeconds(1))).WaitAsync(TimeSpan.FromSeconds(30));
        await waiter.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, waits);
        Assert.InRange(clock.GetUtcNow(), deadline, deadline + TimeSpan.FromMilliseconds(1));

        // Nor does the clock itself ever stop on a fraction of a millisecond.
        var before = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(before.AddMilliseconds(1), clock.GetUtcNow());

        async Task WaitAsync()
        {
            while (deadline - clock.GetUtcNow() is var remaining && remaining > TimeSpan.Zero)
            {
                waits++;
                await Task.Delay(remaining, clock);
            }
        }
    }
}
