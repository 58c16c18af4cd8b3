namespace Alerts.GrainInterfaces;

/// <summary>A case's engagement in one minute of event time (UTC, start of the minute).</summary>
[GenerateSerializer, Immutable, Alias("alerts.MinuteEngagement")]
public sealed record MinuteEngagement(
    [property: Id(0)] DateTimeOffset Minute,
    [property: Id(1)] long Delivered,
    [property: Id(2)] long Opened,
    [property: Id(3)] long Shares,
    [property: Id(4)] long Sightings);
