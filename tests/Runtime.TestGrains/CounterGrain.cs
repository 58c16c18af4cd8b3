namespace Alerts.Runtime.Tests;

/// <summary>Counts with a read-await-write that races unless turns are serialised.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    Task Record(int value);

    Task<List<int>> Recorded();

    Task<int> MaxConcurrency();

    [ReadOnly]
    Task<int> Peek();

    Task Fail(string message);
}

/// <summary>See <see cref="ICounterGrain"/>.</summary>
public sealed class CounterGrain : Grain, ICounterGrain
{
    private readonly List<int> _recorded = [];
    private int _count;
    private int _inside;
    private int _maxInside;

    public async Task<int> Increment()
    {
        _maxInside = Math.Max(_maxInside, Interlocked.Increment(ref _inside));
        var read = _count;
        await Task.Yield();
        await Task.Delay(0);
        _count = read + 1;
        Interlocked.Decrement(ref _inside);
        return _count;
    }

    public Task Record(int value)
    {
        _recorded.Add(value);
        return Task.CompletedTask;
    }

    public Task<List<int>> Recorded() => Task.FromResult(_recorded.ToList());

    public Task<int> MaxConcurrency() => Task.FromResult(_maxInside);

    public Task<int> Peek() => Task.FromResult(_count);

    public Task Fail(string message) => throw new InvalidOperationException(message);
}
