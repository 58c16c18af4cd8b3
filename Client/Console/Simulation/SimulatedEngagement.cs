namespace Alerts.Cli;

/// <summary>
/// What the simulated devices reported for one case and the cluster counted: deliveries, opens (from the push and through
/// share links), shares, sightings and the deepest share generation; <see cref="Repeated"/> were already counted,
/// <see cref="Refused"/> and <see cref="Rejected"/> were not allowed or malformed (should be 0), <see cref="Failed"/> never got
/// an answer; <see cref="FirstProblem"/> is the first refusal's reason.
/// </summary>
public sealed record SimulatedEngagement(
    string CaseId,
    long Delivered,
    long Opened,
    long OpenedByPushed,
    long OpensThroughShares,
    long Shared,
    long Sightings,
    int MaxShareDepth,
    long Repeated,
    long Refused,
    long Rejected,
    long Failed,
    string? FirstProblem);
