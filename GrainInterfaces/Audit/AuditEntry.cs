namespace Alerts.GrainInterfaces;

/// <summary>One admin action as the audit log keeps it: who (and in which roles), when, what, on what, and the state before and after.</summary>
[GenerateSerializer, Immutable, Alias("alerts.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Actor,
    [property: Id(3)] string Roles,
    [property: Id(4)] string Action,
    [property: Id(5)] string Subject,
    [property: Id(6)] string? StateBefore,
    [property: Id(7)] string? StateAfter,
    [property: Id(8)] string? Detail);
