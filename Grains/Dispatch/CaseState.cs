using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>A case's persistent state: its definition, status and durable dispatch progress.</summary>
public sealed class CaseState
{
    public CaseDefinition? Definition { get; set; }

    public CaseStatus Status { get; set; }

    public double RadiusMeters { get; set; }

    /// <summary>Bumped when a new pass over the cells starts (dispatch, widening, recovery); stale steps of an older pass stop.</summary>
    public int Generation { get; set; }

    /// <summary>Cells of the current pass already collected, in cover order.</summary>
    public int CellsDone { get; set; }

    public int CellsTotal { get; set; }

    public long Recipients { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset ActiveUntil { get; set; }
}
