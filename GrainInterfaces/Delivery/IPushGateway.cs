namespace Alerts.GrainInterfaces;

/// <summary>Implemented by the mobile gateway: receives push batches, then acknowledges them through <see cref="IPushHubGrain.Acknowledge"/>.</summary>
[Alias("alerts.push-gateway")]
public interface IPushGateway : IGrainObserver
{
    /// <summary>A batch to deliver; a batch id already seen must be dropped (batches are resent until acknowledged).</summary>
    [OneWay, Alias("Deliver")]
    Task Deliver(PushBatch batch);
}
