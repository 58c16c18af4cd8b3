using Alerts.GrainInterfaces;

namespace Alerts.Client;

/// <summary>The gateway connection's engagement reports: deliveries, opens, shares and sightings.</summary>
public sealed partial class GatewayConnection
{
    /// <summary>The most events the engagement grain takes in one call by default; <see cref="GatewayConnectionOptions.EngagementEventsPerCall"/> sets it.</summary>
    public const int MaxEngagementEventsPerCall = 10_000;

    /// <summary>
    /// Reports what users did with alerts: deliveries to the device, opens (with the share token when the user came
    /// through a share link), shares (the reply carries each share's token for its link) and sightings. Any number of
    /// events: they go in calls of at most <see cref="GatewayConnectionOptions.EngagementEventsPerCall"/>, one after another, and the counts
    /// are added up; each rejection's and each issued share's <c>Index</c> is its position in <paramref name="events"/>.
    /// Thread-safe. If the first call fails its exception propagates (none was answered; one that timed out may still
    /// have been counted: send the list again); if a later one fails, a
    /// <see cref="ReportInterruptedException{TResult}"/> of <see cref="EngagementResult"/> says how many events from the
    /// start were counted (send again from <see cref="ReportInterruptedException.Reported"/>) and what their calls
    /// answered, the share tokens they issued included, with the failure inside. Reporting the same events again is harmless (each user's delivery and open, each share per channel, each sighting
    /// and each refused event count once; a refused one is listed in the reply again).
    /// </summary>
    /// <param name="events">The events, of any cases.</param>
    /// <param name="cancellationToken">Stops waiting (a call already sent still completes in the cluster) and sends no further part: a <see cref="ReportCanceledException{TResult}"/> of <see cref="EngagementResult"/> says from which index to send again.</param>
    public async Task<EngagementResult> ReportEngagementAsync(IReadOnlyList<EngagementEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var engagement = Client.GetGrain<IEngagementGrain>(0);
        int counted = 0, repeated = 0, refused = 0, rejected = 0;
        var rejections = new List<RejectedEngagement>();
        var shares = new List<IssuedShare>();
        await ReportParts.ForEachAsync(events, _engagementEventsPerCall, async (part, start) =>
        {
            var result = await engagement.Report(part).WaitAsync(cancellationToken);
            counted += result.Counted;
            repeated += result.Repeated;
            refused += result.Refused;
            rejected += result.Rejected;
            foreach (var rejection in result.Rejections) rejections.Add(rejection with { Index = rejection.Index + start });
            foreach (var share in result.Shares) shares.Add(share with { Index = share.Index + start });
        }, () => new EngagementResult(counted, repeated, refused, rejected, rejections, shares), cancellationToken);

        return new EngagementResult(counted, repeated, refused, rejected, rejections, shares);
    }
}
