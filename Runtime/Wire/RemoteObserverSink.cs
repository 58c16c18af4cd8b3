namespace Alerts.Runtime;

/// <summary>Silo side of an observer that lives in a remote client: calls travel over that client's connection.</summary>
internal sealed class RemoteObserverSink(GatewayConnection connection, Guid observerId) : ICallSink, IObserverLiveness
{
    public bool IsAlive => !connection.IsClosed;

    public Task<object?> InvokeAsync(GrainMethod method, object?[] args) => connection.CallObserverAsync(observerId, method, args);

    public override string ToString() => $"remote observer {observerId:N} of {connection.Identity.Name}";
}
