namespace Alerts.GrainInterfaces;

/// <summary>A sighting as admins read it.</summary>
/// <param name="UserId">Who reported it.</param>
/// <param name="SeenAt">When they saw the child.</param>
/// <param name="ReportedAt">When it reached the case.</param>
/// <param name="Details">Where, what, and the optional photo and contact.</param>
[GenerateSerializer, Immutable, Alias("alerts.Sighting")]
public sealed record Sighting(
    [property: Id(0)] long UserId,
    [property: Id(1)] DateTimeOffset SeenAt,
    [property: Id(2)] DateTimeOffset ReportedAt,
    [property: Id(3)] SightingDetails Details)
{
    /// <summary>Great-circle distance from where the child was last seen, in metres (null when the case has no point).</summary>
    [Id(4)]
    public double? DistanceFromLastSeenMeters { get; init; }
}
