namespace Alerts.GrainInterfaces;

/// <summary>A case being alerted: where, how far, and until when late arrivals count.</summary>
public sealed record ActiveCase(string CaseId, double Latitude, double Longitude, double RadiusMeters, DateTimeOffset ActiveUntil);
