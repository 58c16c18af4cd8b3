namespace Alerts.GrainInterfaces;

/// <summary>What an admin files: where the child was last seen, the radius (null: the default), the alert text and a link to the full details.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseDefinition")]
public sealed record CaseDefinition(
    [property: Id(0)] double Latitude,
    [property: Id(1)] double Longitude,
    [property: Id(2)] double? RadiusMeters,
    [property: Id(3)] string Message,
    [property: Id(4)] string Link);
