namespace Alerts.GrainInterfaces;

/// <summary>What a push carries (at most 4 KB as JSON): the case, the alert text and a link to the full details.</summary>
public sealed record AlertPayload(string CaseId, string Message, string Link)
{
    /// <summary>The push notification size limit in bytes.</summary>
    public const int MaxBytes = 4096;
}
