namespace Alerts.GrainInterfaces;

/// <summary>A resident's position as a cell keeps it: fix time in Unix milliseconds.</summary>
public readonly record struct ResidentFix(long UserId, double Latitude, double Longitude, long FixUnixMs, bool OptedOut);
