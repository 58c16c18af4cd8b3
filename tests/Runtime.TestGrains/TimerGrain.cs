namespace Alerts.Runtime.Tests;

/// <summary>Counts timer ticks, and checks ticks never overlap requests or each other.</summary>
public interface ITimerGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);

    Task<int> Ticks();

    Task<int> MaxConcurrency();
}

/// <summary>See <see cref="ITimerGrain"/>.</summary>
public sealed class TimerGrain : Grain, ITimerGrain
{
    private int _ticks;
    private int _inside;
    private int _maxInside;

    public Task Start(TimeSpan period)
    {
        RegisterGrainTimer(async _ =>
        {
            _maxInside = Math.Max(_maxInside, Interlocked.Increment(ref _inside));
            await Task.Yield();
            _ticks++;
            Interlocked.Decrement(ref _inside);
            TestSignals.For($"tick:{GetPrimaryKeyString()}:{_ticks}").TrySetResult("");
        }, period, period);
        return Task.CompletedTask;
    }

    public Task<int> Ticks() => Task.FromResult(_ticks);

    public Task<int> MaxConcurrency() => Task.FromResult(_maxInside);
}
