namespace Alerts.Cli;

/// <summary>What a simulation did: residents loaded and how fast, moves, rejections, the pushes received per case and what the residents did with them.</summary>
public sealed record SimulationSummary(
    string Region,
    int Places,
    int Residents,
    double LoadSeconds,
    double LoadRatePerSecond,
    long Moves,
    long Rejected,
    long DuplicateBatchesDropped,
    long Resubscriptions,
    List<CasePushes> Cases,
    List<SimulatedEngagement> Engagement);
