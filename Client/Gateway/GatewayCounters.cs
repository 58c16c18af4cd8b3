namespace Alerts.Client;

/// <summary>Counters of a <see cref="GatewayConnection"/> since it started.</summary>
/// <param name="BatchesDelivered">Batches the delivery callback completed (each batch id once).</param>
/// <param name="UsersDelivered">Users in those batches.</param>
/// <param name="DuplicatesDropped">Batches the hub sent again that were not handed to the callback again (already delivered, or still being delivered).</param>
/// <param name="Acknowledged">Batch ids the hub confirmed receiving an acknowledgement for (a re-acknowledged duplicate counts again).</param>
/// <param name="Resubscriptions">Subscriptions made to recover: after the connection to the cluster came back, or after a failed renewal.</param>
/// <param name="DrainRenewals">Leases renewed while disposal drained the running deliveries (so the hub did not hand their batches to another gateway meanwhile); not those the hub answered without renewing (another connection had taken the name over).</param>
public sealed record GatewayCounters(long BatchesDelivered, long UsersDelivered, long DuplicatesDropped, long Acknowledged, long Resubscriptions, long DrainRenewals = 0);
