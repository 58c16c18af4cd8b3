namespace Alerts.Grains;

/// <summary>
/// Who a case may reach when it records users: a drill only testers; a live case nobody over the alert-fatigue limit,
/// and nobody it already held back (<paramref name="HasSuppressed"/>: the case has some, so they are looked up).
/// </summary>
public sealed record RecordingRules(bool TestersOnly, int MaxAlertsPerDay, bool HasSuppressed = true)
{
    /// <summary>The window of the alert-fatigue limit.</summary>
    public static readonly TimeSpan FatigueWindow = TimeSpan.FromHours(24);
}
