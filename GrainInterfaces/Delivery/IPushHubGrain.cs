namespace Alerts.GrainInterfaces;

/// <summary>
/// The gateways' half of the push hub (key 0): subscribe, acknowledge, read counters. A client names only gateways its
/// credential owns (<see cref="GatewayNames"/>): another name is refused with <see cref="AccessDeniedException"/>.
/// </summary>
[Alias("alerts.push-hub")]
[RequiresRole(Roles.Gateway)]
public interface IPushHubGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Subscribes a gateway for the returned lease; subscribe again within it (and after reconnecting) to stay subscribed.
    /// A new connection under a held name takes it over (a restarted gateway); a connection it replaced is then refused
    /// with <see cref="WrongStateException"/> until the name's lease lapses: each gateway process needs a name of its own.
    /// What a draining connection (see below) it took the name from still delivers is sent to the new one only once that
    /// one leaves or an ack timeout passes unacknowledged.
    /// </summary>
    [Alias("Subscribe")]
    Task<TimeSpan> Subscribe([OwnName] string gatewayName, IPushGateway gateway);

    /// <summary>
    /// As <see cref="Subscribe(string, IPushGateway)"/>, and the hub hands this gateway at most
    /// <paramref name="maxInFlight"/> unacknowledged batches (fewer when its MaxBatchesInFlightPerGateway is lower): a
    /// gateway that takes fewer at once is not handed batches that wait in it past their acknowledgement timeout. A
    /// <paramref name="maxInFlight"/> of 0 is a closing gateway draining its deliveries: the connection holding the name
    /// keeps its lease and is handed nothing new, for good (a later subscription with room from it renews its lease only:
    /// one sent before the draining renewal may arrive after it); another connection takes nothing over, is not subscribed
    /// and is answered <see cref="TimeSpan.Zero"/>: nothing was renewed. A connection that called
    /// <see cref="Unsubscribe"/> is refused with <see cref="WrongStateException"/>: a gateway subscribes again on a new one.
    /// </summary>
    [Alias("SubscribeWithRoom")]
    Task<TimeSpan> Subscribe([OwnName] string gatewayName, IPushGateway gateway, int maxInFlight);

    /// <summary>
    /// Ends a subscription at once (a gateway stopping, after its last deliveries and acknowledgements): its
    /// unacknowledged batches go to the other gateways now instead of when its lease would have lapsed. Only the
    /// connection holding the name ends it; from any other (one it replaced) nothing happens, except that the batches a
    /// replaced connection held while draining (not sent to the new holder, since it was still delivering them) go to the
    /// holder now.
    /// </summary>
    [Alias("Unsubscribe")]
    Task Unsubscribe([OwnName] string gatewayName, IPushGateway gateway);

    /// <summary>
    /// Confirms batches were taken over by the gateway. From a client, only batches last handed to a gateway name its
    /// credential owns count; others (another credential's, or never handed out) are left as they are.
    /// </summary>
    [Alias("Acknowledge")]
    Task Acknowledge(List<long> batchIds);

    /// <summary>Delivery counters.</summary>
    [RequiresRole(Roles.Gateway, Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin)]
    [ReadOnly, Alias("GetStats")]
    Task<PushHubStats> GetStats();

    /// <summary>One case's pushes the hub holds: waiting for a gateway, and handed over but not yet acknowledged.</summary>
    [RequiresRole(Roles.Gateway, Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin)]
    [ReadOnly, Alias("GetCaseDelivery")]
    Task<CaseDelivery> GetCaseDelivery(string caseId);
}
