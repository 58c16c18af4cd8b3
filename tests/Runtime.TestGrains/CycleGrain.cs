namespace Alerts.Runtime.Tests;

/// <summary>Calls a peer that calls back: a cycle.</summary>
public interface ICycleGrain : IGrainWithStringKey
{
    Task<string> CallPeer(string peer);

    Task<string> Ping();
}

/// <summary>Non-reentrant: a cycle waits for itself until the call timeout.</summary>
public sealed class CycleGrain : Grain, ICycleGrain
{
    public Task<string> CallPeer(string peer) => GrainFactory.GetGrain<ICyclePeerGrain>(peer).CallBack(GetPrimaryKeyString(), reentrant: false);

    public Task<string> Ping() => Task.FromResult("pong " + GetPrimaryKeyString());
}

/// <summary>The reentrant twin: the callback interleaves at the await.</summary>
public interface IReentrantCycleGrain : IGrainWithStringKey
{
    Task<string> CallPeer(string peer);

    Task<string> Ping();
}

/// <summary>See <see cref="IReentrantCycleGrain"/>.</summary>
[Reentrant]
public sealed class ReentrantCycleGrain : Grain, IReentrantCycleGrain
{
    public Task<string> CallPeer(string peer) => GrainFactory.GetGrain<ICyclePeerGrain>(peer).CallBack(GetPrimaryKeyString(), reentrant: true);

    public Task<string> Ping() => Task.FromResult("pong " + GetPrimaryKeyString());
}

/// <summary>The middle of the cycle.</summary>
public interface ICyclePeerGrain : IGrainWithStringKey
{
    Task<string> CallBack(string caller, bool reentrant);
}

/// <summary>See <see cref="ICyclePeerGrain"/>.</summary>
public sealed class CyclePeerGrain : Grain, ICyclePeerGrain
{
    public Task<string> CallBack(string caller, bool reentrant) => reentrant
        ? GrainFactory.GetGrain<IReentrantCycleGrain>(caller).Ping()
        : GrainFactory.GetGrain<ICycleGrain>(caller).Ping();
}
