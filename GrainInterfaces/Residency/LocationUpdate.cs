namespace Alerts.GrainInterfaces;

/// <summary>One position fix reported by the mobile gateway.</summary>
public sealed record LocationUpdate(long UserId, double Latitude, double Longitude, DateTimeOffset FixTime);
