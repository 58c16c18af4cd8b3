namespace Alerts.GrainInterfaces;

/// <summary>What a push carries (at most 4 KB as JSON): the case, the alert text and a link to the full details.</summary>
[GenerateSerializer, Immutable, Alias("alerts.AlertPayload")]
public sealed record AlertPayload([property: Id(0)] string CaseId, [property: Id(1)] string Message, [property: Id(2)] string Link)
{
    /// <summary>The push notification size limit in bytes.</summary>
    public const int MaxBytes = 4096;
}
