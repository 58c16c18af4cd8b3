namespace Alerts.GrainInterfaces;

/// <summary>The whole system at a glance: stored residents, opt-outs, cases by state, the push hub's counters, and residency left to settle after failed calls.</summary>
[GenerateSerializer, Immutable, Alias("alerts.SystemStats")]
public sealed record SystemStats(
    [property: Id(0)] long StoredResidents,
    [property: Id(1)] long OptedOut,
    [property: Id(2)] Dictionary<CaseStatus, int> Cases,
    [property: Id(3)] PushHubStats Delivery,
    [property: Id(4)] UnsettledResidency Unsettled);
