using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>A case's persistent state: its definition, status and durable dispatch progress.</summary>
[GenerateSerializer, Alias("alerts.CaseState")]
public sealed class CaseState
{
    [Id(0)]
    public CaseDefinition? Definition { get; set; }

    [Id(1)]
    public CaseStatus Status { get; set; }

    [Id(2)]
    public double RadiusMeters { get; set; }

    /// <summary>Bumped when a new pass over the cells starts (dispatch, widening, recovery); stale steps of an older pass stop.</summary>
    [Id(3)]
    public int Generation { get; set; }

    /// <summary>Cells of the current pass already collected, in cover order.</summary>
    [Id(4)]
    public int CellsDone { get; set; }

    [Id(5)]
    public int CellsTotal { get; set; }

    [Id(6)]
    public long Recipients { get; set; }

    [Id(7)]
    public DateTimeOffset OpenedAt { get; set; }

    [Id(8)]
    public DateTimeOffset ActiveUntil { get; set; }
}
