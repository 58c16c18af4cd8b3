namespace Alerts.GrainInterfaces;

/// <summary>What a user did with an alert, as the mobile gateway reports it.</summary>
[GenerateSerializer, Alias("alerts.EngagementKind")]
public enum EngagementKind
{
    /// <summary>The push reached the user's device.</summary>
    Delivered,

    /// <summary>The user opened the alert (from the push, or from a share link with its token).</summary>
    Opened,

    /// <summary>The user shared the alert; the reply carries the share token for the link.</summary>
    Shared,

    /// <summary>The user reported seeing the child.</summary>
    Sighted,
}
