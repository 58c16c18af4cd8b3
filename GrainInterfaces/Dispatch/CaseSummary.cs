namespace Alerts.GrainInterfaces;

/// <summary>A case in a listing: its id, where it is in its life, and when that last changed.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseSummary")]
public sealed record CaseSummary(
    [property: Id(0)] string CaseId,
    [property: Id(1)] CaseStatus Status,
    [property: Id(2)] DateTimeOffset UpdatedAt);
