using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>
/// A client's outgoing call filter that records the observer reference each push hub subscription sends, can hold one
/// back as a slow call waits, can give up on one as a host's own filter with a deadline does, and can fail one before it
/// is sent, as a part of the host's that the call goes through would.
/// </summary>
public sealed class SubscribeCalls : IOutgoingGrainCallFilter
{
    private readonly List<IPushGateway> _gateways = [];
    private Hold? _holdNext;
    private CancellationTokenSource? _cancelNext;
    private Exception? _failNext;

    /// <summary>The references sent, in order.</summary>
    public List<IPushGateway> Gateways
    {
        get { lock (_gateways) return _gateways.ToList(); }
    }

    /// <summary>
    /// Holds the next subscription in the client until <paramref name="release"/> completes, as a call waiting for a
    /// connection does; the task returned completes once it is held.
    /// </summary>
    public Task HoldNext(Task release)
    {
        var hold = new Hold(release);
        Volatile.Write(ref _holdNext, hold);
        return hold.Reached.Task;
    }

    /// <summary>
    /// The next subscription reaches the hub, but its caller sees it cancelled by a token not its own: the host's, whose
    /// deadline passed while the call was under way.
    /// </summary>
    public void CancelNext()
    {
        var deadline = new CancellationTokenSource();
        deadline.Cancel();
        Volatile.Write(ref _cancelNext, deadline);
    }

    /// <summary>The next subscription fails with <paramref name="failure"/> in the client, before it is sent.</summary>
    public void FailNext(Exception failure) => Volatile.Write(ref _failNext, failure);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(IPushHubGrain) || context.MethodName != nameof(IPushHubGrain.Subscribe)
            || context.Request.GetArgument(1) is not IPushGateway gateway)
        {
            await context.Invoke();
            return;
        }

        lock (_gateways) _gateways.Add(gateway);
        if (Interlocked.Exchange(ref _failNext, null) is { } failure) throw failure;
        if (Interlocked.Exchange(ref _holdNext, null) is { } hold)
        {
            hold.Reached.TrySetResult();
            await hold.Release;
        }

        using var deadline = Interlocked.Exchange(ref _cancelNext, null);
        await context.Invoke();
        deadline?.Token.ThrowIfCancellationRequested();
    }

    private sealed class Hold(Task release)
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Release { get; } = release;
    }
}
