using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>A case's persistent state: its definition, who filed and approved it, its status, notices and durable dispatch progress.</summary>
[GenerateSerializer, Alias("alerts.CaseState")]
public sealed class CaseState
{
    [Id(0)]
    public CaseDefinition? Definition { get; set; }

    [Id(1)]
    public CaseStatus Status { get; set; }

    [Id(2)]
    public double RadiusMeters { get; set; }

    /// <summary>Bumped when a new pass over the cells starts (dispatch, widening, recovery) or the case ends; stale steps of an older pass stop.</summary>
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

    [Id(9)]
    public string FiledBy { get; set; } = "";

    [Id(10)]
    public string? ApprovedBy { get; set; }

    [Id(11)]
    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>Why the case was cancelled or last sent back.</summary>
    [Id(12)]
    public string? Reason { get; set; }

    /// <summary>The message users reached now get: the alert's, or the latest update's.</summary>
    [Id(13)]
    public string CurrentMessage { get; set; } = "";

    /// <summary>Notices issued, in order; what each covers and how far it has gone live in the notice table.</summary>
    [Id(14)]
    public List<CaseNotice> Notices { get; set; } = [];

    /// <summary>When the last notice was issued: users recorded after it are stamped later, so it never covers them.</summary>
    [Id(15)]
    public DateTimeOffset LastNoticeAt { get; set; }

    [Id(16)]
    public int RingsFired { get; set; }

    [Id(17)]
    public long Suppressed { get; set; }

    /// <summary>Notices handed to the outbox for everyone they cover (or overtaken by the case's end), in order.</summary>
    [Id(18)]
    public int NoticesDone { get; set; }

    /// <summary>
    /// The case has ended (Status says how) and what follows may not all be done: a cancel's unsent batches withdrawn,
    /// the closing notice's row written. Saved with the end, so an activation that dies part way leaves it to the next.
    /// </summary>
    [Id(19)]
    public bool Ending { get; set; }

    /// <summary>
    /// Audit rows of actions this state decided that the audit log may still lack, in the order made: saved in the same
    /// write as the change that made each, and dropped once written, so a silo that dies between the two leaves them to
    /// the next activation (their keys make a row sent twice appear once).
    /// </summary>
    [Id(20)]
    public List<AuditRow> OwedAudit { get; set; } = [];

    /// <summary>Audit rows the case has made: the number of each is in its key.</summary>
    [Id(21)]
    public int AuditRows { get; set; }
}
