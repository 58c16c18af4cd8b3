namespace Alerts.GrainInterfaces;

/// <summary>One thing a user did with a case's alert, reported by the mobile gateway.</summary>
/// <param name="Kind">Delivered, opened, shared or sighted.</param>
/// <param name="CaseId">The case.</param>
/// <param name="UserId">The user (positive).</param>
/// <param name="Time">When it happened on the device.</param>
/// <param name="ShareToken">The token of the share link the user arrived through, if any (opens, shares and sightings).</param>
/// <param name="Channel">Where the user shared (shares only).</param>
/// <param name="Sighting">What the user saw and where (sightings only).</param>
// Not reference-tracked: a gateway reports thousands at once, each distinct (as LocationUpdate).
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("alerts.EngagementEvent")]
public sealed record EngagementEvent(
    [property: Id(0)] EngagementKind Kind,
    [property: Id(1)] string CaseId,
    [property: Id(2)] long UserId,
    [property: Id(3)] DateTimeOffset Time,
    [property: Id(4)] string? ShareToken = null,
    [property: Id(5)] ShareChannel? Channel = null,
    [property: Id(6)] SightingDetails? Sighting = null)
{
    /// <summary>The push reached the device.</summary>
    public static EngagementEvent Delivered(string caseId, long userId, DateTimeOffset time) => new(EngagementKind.Delivered, caseId, userId, time);

    /// <summary>The user opened the alert; <paramref name="shareToken"/> when they came through a share link.</summary>
    public static EngagementEvent Opened(string caseId, long userId, DateTimeOffset time, string? shareToken = null) => new(EngagementKind.Opened, caseId, userId, time, shareToken);

    /// <summary>The user shared the alert on <paramref name="channel"/>.</summary>
    public static EngagementEvent Shared(string caseId, long userId, DateTimeOffset time, ShareChannel channel, string? shareToken = null) =>
        new(EngagementKind.Shared, caseId, userId, time, shareToken, channel);

    /// <summary>The user saw the child.</summary>
    public static EngagementEvent Sighted(string caseId, long userId, DateTimeOffset time, SightingDetails sighting, string? shareToken = null) =>
        new(EngagementKind.Sighted, caseId, userId, time, shareToken, Sighting: sighting);
}
