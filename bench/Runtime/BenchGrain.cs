using Alerts.Runtime;

namespace Alerts.Bench.Runtime;

/// <summary>The smallest useful grain: a counter.</summary>
public interface IBenchGrain : IGrainWithIntegerKey
{
    Task<int> Add(int amount);
}

/// <summary>See <see cref="IBenchGrain"/>.</summary>
public sealed class BenchGrain : Grain, IBenchGrain
{
    private int _total;

    public Task<int> Add(int amount) => Task.FromResult(_total += amount);
}

/// <summary>The same work as a plain object: the baseline for call overhead.</summary>
public sealed class PlainCounter : IBenchGrain
{
    private int _total;

    public Task<int> Add(int amount) => Task.FromResult(_total += amount);
}
