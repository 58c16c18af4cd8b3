namespace Alerts.GrainInterfaces;

/// <summary>Where a user saw the child and what they say; the time is the event's.</summary>
/// <param name="Latitude">Where, in degrees.</param>
/// <param name="Longitude">Where, in degrees.</param>
/// <param name="Text">What the user saw (1 to 2,000 characters).</param>
/// <param name="PhotoUrl">An optional absolute http(s) link to a photo.</param>
/// <param name="Contact">An optional way to reach the user (at most 200 characters).</param>
[GenerateSerializer, Immutable, Alias("alerts.SightingDetails")]
public sealed record SightingDetails(
    [property: Id(0)] double Latitude,
    [property: Id(1)] double Longitude,
    [property: Id(2)] string Text,
    [property: Id(3)] string? PhotoUrl = null,
    [property: Id(4)] string? Contact = null);
