namespace Alerts.GrainInterfaces;

/// <summary>What a push says: the alert itself, or a later notice to everyone it reached.</summary>
[GenerateSerializer, Alias("alerts.NoticeKind")]
public enum NoticeKind
{
    /// <summary>The alert.</summary>
    Alert,

    /// <summary>New details (CAP msgType Update).</summary>
    Update,

    /// <summary>The child was found.</summary>
    Resolved,

    /// <summary>The alert was withdrawn: the correction prepared when the case was filed (CAP msgType Cancel).</summary>
    Cancelled,
}
