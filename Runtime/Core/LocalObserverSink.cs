namespace Alerts.Runtime;

/// <summary>Delivers calls to an observer object in this process, one at a time, until the reference is deleted.</summary>
internal sealed class LocalObserverSink(IGrainObserver target) : ICallSink, IObserverLiveness
{
    private readonly TaskScheduler _scheduler = new TurnScheduler();
    private volatile bool _deleted;

    public bool IsAlive => !_deleted;

    public void Delete() => _deleted = true;

    public Task<object?> InvokeAsync(GrainMethod method, object?[] args)
    {
        if (_deleted) return Task.FromException<object?>(new ObserverExpiredException($"Observer {target.GetType().Name} was deleted."));
        var call = Task.Factory.StartNew(() => method.InvokeOn(target, args), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
        // One-way: the caller must not wait (the observer may call back into it).
        return method.OneWay ? Task.FromResult<object?>(null) : call;
    }

    public override string ToString() => $"observer {target.GetType().Name}";
}
