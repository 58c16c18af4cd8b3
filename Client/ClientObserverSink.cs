using Alerts.Runtime;

namespace Alerts.Client;

/// <summary>An observer object in this client: grains reach it through its id, calls run one at a time.</summary>
internal sealed class ClientObserverSink(Guid id, Type observerInterface, IGrainObserver target) : ICallSink
{
    private readonly TaskScheduler _scheduler = new TurnScheduler();

    public Guid Id { get; } = id;

    public GrainInterfaceInfo Interface { get; } = GrainInterfaceInfo.Get(observerInterface);

    public Task<object?> InvokeAsync(GrainMethod method, object?[] args) =>
        Task.Factory.StartNew(() => method.InvokeOn(target, args), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
}
