namespace Alerts.Grains;

/// <summary>A user as the directory stores them: current cell (packed geohash, 0 when not resident), fix time, opt-out.</summary>
public readonly record struct DirectoryRow(long UserId, long Cell, long FixMs, bool OptedOut);
