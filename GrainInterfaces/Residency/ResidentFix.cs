namespace Alerts.GrainInterfaces;

/// <summary>
/// A resident's position as a cell keeps it: fix time in Unix milliseconds. <paramref name="FirstFix"/>: the directory
/// knew no position of the user, so the store most likely has no row yet (a hint for a cheaper write, never relied on).
/// </summary>
[GenerateSerializer, Immutable, Alias("alerts.ResidentFix")]
public readonly record struct ResidentFix([property: Id(0)] long UserId, [property: Id(1)] double Latitude, [property: Id(2)] double Longitude, [property: Id(3)] long FixUnixMs, [property: Id(4)] bool OptedOut, [property: Id(5)] bool FirstFix = false);
