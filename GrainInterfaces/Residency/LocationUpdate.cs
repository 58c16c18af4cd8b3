namespace Alerts.GrainInterfaces;

/// <summary>One position fix reported by the mobile gateway.</summary>
// Not reference-tracked: a report holds 10,000 of them, never the same one twice, and tracking each cost a large
// dictionary per message on both sides (most of the large-object allocations that drove full collections in ingest).
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("alerts.LocationUpdate")]
public sealed record LocationUpdate([property: Id(0)] long UserId, [property: Id(1)] double Latitude, [property: Id(2)] double Longitude, [property: Id(3)] DateTimeOffset FixTime);
