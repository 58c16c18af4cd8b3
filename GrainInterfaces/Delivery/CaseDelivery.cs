namespace Alerts.GrainInterfaces;

/// <summary>One case's batches at the push hub: waiting for a gateway, and handed to one but not yet acknowledged.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseDelivery")]
public sealed record CaseDelivery(
    [property: Id(0)] string CaseId,
    [property: Id(1)] int BatchesWaiting,
    [property: Id(2)] long UsersWaiting,
    [property: Id(3)] int BatchesInFlight,
    [property: Id(4)] long UsersInFlight);
