namespace Alerts.GrainInterfaces;

/// <summary>Where a user shared an alert.</summary>
[GenerateSerializer, Alias("alerts.ShareChannel")]
public enum ShareChannel
{
    /// <summary>To one friend (a chat).</summary>
    Friend,

    /// <summary>To a group chat.</summary>
    Group,

    /// <summary>To the user's Qzone feed.</summary>
    Qzone,

    /// <summary>Anywhere else.</summary>
    Other,
}
