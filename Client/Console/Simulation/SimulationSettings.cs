namespace Alerts.Cli;

/// <summary>What <c>alerts simulate</c> plays: how many residents, where, how they move, for how long, and what they do with alerts.</summary>
public sealed record SimulationSettings(
    int Population,
    Region Region,
    int Seed,
    long FirstUserId,
    double MovingShare,
    TimeSpan MoveEvery,
    double MoveMeters,
    TimeSpan? Duration,
    string? GatewayName,
    int ReportSize,
    int ReportsInFlight,
    double OpenRate,
    double ShareRate,
    double SightingRate,
    int ShareReach);
