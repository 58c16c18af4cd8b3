namespace Alerts.GrainInterfaces;

/// <summary>
/// A notice sent after the alert to everyone it had reached by <see cref="CoversUntil"/>: an update, the closing message
/// or the correction. Users reached later get the current message instead, so nobody gets both.
/// </summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseNotice")]
public sealed record CaseNotice(
    [property: Id(0)] int Number,
    [property: Id(1)] NoticeKind Kind,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset IssuedAt,
    [property: Id(4)] string IssuedBy,
    [property: Id(5)] DateTimeOffset CoversUntil)
{
    /// <summary>Users it has been handed to the push outbox for so far.</summary>
    [Id(6)]
    public long Sent { get; init; }

    /// <summary>True once it has gone to everyone it covers (or was overtaken by the case's end).</summary>
    [Id(7)]
    public bool Done { get; init; }
}
