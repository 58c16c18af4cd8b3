using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>Implemented by the mobile gateway: receives push batches, then acknowledges them through <see cref="IPushHubGrain.Acknowledge"/>.</summary>
public interface IPushGateway : IGrainObserver
{
    /// <summary>A batch to deliver.</summary>
    [OneWay]
    Task Deliver(PushBatch batch);
}
