namespace Alerts.Client;

/// <summary>Settings for a <see cref="GatewayConnection"/>.</summary>
public sealed class GatewayConnectionOptions
{
    /// <summary>Where the cluster is and the credential (a client with the <c>gateway</c> role).</summary>
    public AlertsClientOptions Cluster { get; set; } = new();

    /// <summary>
    /// The subscription name at the push hub; unique per gateway instance. The credential's name (the default, when
    /// null) or that name, '/' and an instance part ("gateway-1/replica-a"): the hub refuses a credential any other name,
    /// so one gateway cannot take another's batches. A new instance under a held name takes it
    /// over (a restarted gateway gets its predecessor's unacknowledged batches at once); the instance it replaced is
    /// then refused (<see cref="GatewayState.Reconnecting"/>, <c>SubscriptionFailed</c> naming the name) until the new
    /// one stops renewing, so two live instances under one name never push the same batches twice.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>How many delivered batch ids are remembered for de-duplication (the oldest are forgotten first).</summary>
    public int RememberedBatchIds { get; set; } = 1_000_000;

    /// <summary>
    /// How many calls of the delivery callback may run at once (8 by default, the hub's default limit of
    /// unacknowledged batches per gateway). 1 hands batches over one at a time in arrival order. The hub is told, and
    /// hands this gateway no more unacknowledged batches than this (nor more than its own limit).
    /// </summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>
    /// Most location updates sent in one call (<see cref="GatewayConnection.ReportAsync"/> splits longer lists): at most
    /// the silos' <c>Alerts:MaxUpdatesPerReport</c> (10,000 by default), or every long report fails on its first part.
    /// </summary>
    public int UpdatesPerCall { get; set; } = GatewayConnection.MaxUpdatesPerCall;

    /// <summary>
    /// Most engagement events sent in one call (<see cref="GatewayConnection.ReportEngagementAsync"/> splits longer
    /// lists): at most the silos' <c>Alerts:Engagement:MaxEventsPerReport</c> (10,000 by default).
    /// </summary>
    public int EngagementEventsPerCall { get; set; } = GatewayConnection.MaxEngagementEventsPerCall;

    /// <summary>
    /// How long <see cref="GatewayConnection.DisposeAsync"/> waits for running deliveries after cancelling their token
    /// (10 s by default; zero waits not at all, Timeout.InfiniteTimeSpan waits for every one; at most 49 days otherwise).
    /// A delivery still running then is left to finish on its own, its batch unacknowledged: the hub gives it to another
    /// gateway once this one's lease lapses.
    /// </summary>
    public TimeSpan DeliveryDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
