namespace Alerts.GrainInterfaces;

/// <summary>Delivery state: batches waiting, sent but unacknowledged, acknowledged, and gateways connected.</summary>
public sealed record PushHubStats(int Pending, int InFlight, long Acknowledged, long Resent, int Gateways);
