namespace Alerts.GrainInterfaces;

/// <summary>What an admin files: where the child was last seen, the radius (null: the default), the alert text and a link to the full details.</summary>
public sealed record CaseDefinition(double Latitude, double Longitude, double? RadiusMeters, string Message, string Link);
