namespace Alerts.GrainInterfaces;

/// <summary>
/// What a push carries (at most 4 KB as JSON): the case, what kind of push it is, the text and a link to the full record.
/// Nothing else about the child: the app fetches the record from the case.
/// </summary>
[GenerateSerializer, Immutable, Alias("alerts.AlertPayload")]
public sealed record AlertPayload(
    [property: Id(0)] string CaseId,
    [property: Id(1)] string Message,
    [property: Id(2)] string Link,
    [property: Id(3)] NoticeKind Kind = NoticeKind.Alert,
    [property: Id(4)] bool Exercise = false,
    [property: Id(5)] string Language = "zh-CN")
{
    /// <summary>The push notification size limit in bytes.</summary>
    public const int MaxBytes = 4096;
}
