namespace Alerts.GrainInterfaces;

/// <summary>A case being alerted: where, how far, and until when late arrivals count.</summary>
[GenerateSerializer, Immutable, Alias("alerts.ActiveCase")]
public sealed record ActiveCase(
    [property: Id(0)] string CaseId,
    [property: Id(1)] double Latitude,
    [property: Id(2)] double Longitude,
    [property: Id(3)] double RadiusMeters,
    [property: Id(4)] DateTimeOffset ActiveUntil);
