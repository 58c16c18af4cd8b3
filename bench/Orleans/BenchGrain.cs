using Alerts.GrainInterfaces;
using Orleans;

namespace Alerts.Bench.Orleans;

/// <summary>The smallest useful grain: a counter. Gateway clients may call it (the silo refuses interfaces without a rule).</summary>
[Alias("bench.counter")]
[RequiresRole(Roles.Gateway)]
public interface IBenchGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
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
