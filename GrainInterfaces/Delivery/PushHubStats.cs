namespace Alerts.GrainInterfaces;

/// <summary>Delivery state: batches waiting, sent but unacknowledged, acknowledged, resent, and gateways subscribed.</summary>
[GenerateSerializer, Immutable, Alias("alerts.PushHubStats")]
public sealed record PushHubStats([property: Id(0)] int Pending, [property: Id(1)] int InFlight, [property: Id(2)] long Acknowledged, [property: Id(3)] long Resent, [property: Id(4)] int Gateways);
