namespace Alerts.GrainInterfaces;

/// <summary>A case's live engagement figures.</summary>
/// <param name="CaseId">The case.</param>
/// <param name="Status">The case's status.</param>
/// <param name="Pushed">Users the case pushed to (its recipients).</param>
/// <param name="Delivered">Pushes the gateway reported delivered to the device (each user once).</param>
/// <param name="Opened">Users who opened the alert (each once), pushed or through a share.</param>
/// <param name="OpenedByPushed">Of <paramref name="Opened"/>, users the case pushed to.</param>
/// <param name="OpenRate"><paramref name="OpenedByPushed"/> / <paramref name="Pushed"/> (0 before any push).</param>
/// <param name="Shares">Shares (each user once per channel).</param>
/// <param name="SharesByChannel">The same by channel.</param>
/// <param name="OpensThroughShares">Opens that came through a share link (they count for the sharer).</param>
/// <param name="MaxShareDepth">The deepest generation of sharing reached (0: nobody shared).</param>
/// <param name="Sightings">Sightings reported.</param>
/// <param name="Suppressed">Users held back by the alert-fatigue cap (from <c>case_suppressed</c>).</param>
/// <param name="Refused">Events refused: from users neither pushed nor invited, or with forged, tampered or foreign share tokens; each distinct event (user, kind, time, channel, token) once, so a gateway's resend adds nothing (a sign of a faulty or hostile sender, not a count of people).</param>
/// <param name="Generations">Shares and opens by generation, shallowest first.</param>
/// <param name="Cells">Engagement by map cell, most opens first (bounded; see <see cref="CellEngagement.Overflow"/>).</param>
/// <param name="Timeline">Engagement by minute of event time, oldest first (bounded).</param>
[GenerateSerializer, Immutable, Alias("alerts.CaseEngagementStats")]
public sealed record CaseEngagementStats(
    [property: Id(0)] string CaseId,
    [property: Id(1)] CaseStatus Status,
    [property: Id(2)] long Pushed,
    [property: Id(3)] long Delivered,
    [property: Id(4)] long Opened,
    [property: Id(5)] long OpenedByPushed,
    [property: Id(6)] double OpenRate,
    [property: Id(7)] long Shares,
    [property: Id(8)] ShareCounts SharesByChannel,
    [property: Id(9)] long OpensThroughShares,
    [property: Id(10)] int MaxShareDepth,
    [property: Id(11)] long Sightings,
    [property: Id(12)] long Suppressed,
    [property: Id(13)] long Refused,
    [property: Id(14)] List<GenerationEngagement> Generations,
    [property: Id(15)] List<CellEngagement> Cells,
    [property: Id(16)] List<MinuteEngagement> Timeline);
