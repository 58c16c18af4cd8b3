namespace Alerts.GrainInterfaces;

/// <summary>Everything about a case an admin (or a CAP export) needs: what was filed, by whom, its state and what was sent.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseRecord")]
public sealed record CaseRecord(
    [property: Id(0)] string CaseId,
    [property: Id(1)] CaseStatus Status,
    [property: Id(2)] CaseDefinition Definition,
    [property: Id(3)] double RadiusMeters,
    [property: Id(4)] string FiledBy,
    [property: Id(5)] DateTimeOffset FiledAt,
    [property: Id(6)] string? ApprovedBy,
    [property: Id(7)] DateTimeOffset? ApprovedAt,
    [property: Id(8)] DateTimeOffset? ActiveUntil,
    [property: Id(9)] string? ClosingReason,
    [property: Id(10)] IReadOnlyList<CaseNotice> Notices,
    [property: Id(11)] int RingsFired,
    [property: Id(12)] long Recipients,
    [property: Id(13)] long Suppressed);
