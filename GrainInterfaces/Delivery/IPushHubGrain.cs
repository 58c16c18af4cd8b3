using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>Hands push batches to connected gateways (key 0): spread across them, bounded in flight, resent until acknowledged.</summary>
public interface IPushHubGrain : IGrainWithIntegerKey
{
    /// <summary>Subscribes a gateway; subscribe again after reconnecting.</summary>
    [RequiresRole(Roles.Gateway)]
    Task Subscribe(string gatewayName, IPushGateway gateway);

    /// <summary>Confirms batches were taken over by the gateway.</summary>
    [RequiresRole(Roles.Gateway)]
    Task Acknowledge(List<long> batchIds);

    /// <summary>New durable batches to deliver, in order.</summary>
    [RequiresRole(Roles.Silo)]
    Task Enqueue(List<PushBatch> batches);

    /// <summary>Removes a user from batches not yet acknowledged.</summary>
    [RequiresRole(Roles.Silo)]
    Task EraseUser(long userId);

    /// <summary>Delivery counters.</summary>
    [RequiresRole(Roles.Admin, Roles.Gateway)]
    [ReadOnly]
    Task<PushHubStats> GetStats();
}
