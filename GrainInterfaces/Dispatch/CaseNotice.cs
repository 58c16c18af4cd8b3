namespace Alerts.GrainInterfaces;

/// <summary>A notice sent after the alert to everyone it had reached: an update, the closing message or the correction.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseNotice")]
public sealed record CaseNotice(
    [property: Id(0)] int Number,
    [property: Id(1)] NoticeKind Kind,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset IssuedAt,
    [property: Id(4)] string IssuedBy);
