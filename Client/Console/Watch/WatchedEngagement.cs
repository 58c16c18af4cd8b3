using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>The engagement figures the live view shows beside dispatch and delivery (a value, so an unchanged one draws nothing new).</summary>
public sealed record WatchedEngagement(long Delivered, long Opened, double OpenRate, long Shares, long OpensThroughShares, long Sightings)
{
    /// <summary>The headline of a case's engagement statistics.</summary>
    public static WatchedEngagement From(CaseEngagementStats stats) =>
        new(stats.Delivered, stats.Opened, stats.OpenRate, stats.Shares, stats.OpensThroughShares, stats.Sightings);
}
