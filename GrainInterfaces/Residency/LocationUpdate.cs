namespace Alerts.GrainInterfaces;

/// <summary>One position fix reported by the mobile gateway.</summary>
[GenerateSerializer, Immutable, Alias("alerts.LocationUpdate")]
public sealed record LocationUpdate([property: Id(0)] long UserId, [property: Id(1)] double Latitude, [property: Id(2)] double Longitude, [property: Id(3)] DateTimeOffset FixTime);
