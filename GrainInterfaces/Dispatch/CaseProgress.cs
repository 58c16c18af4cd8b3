namespace Alerts.GrainInterfaces;

/// <summary>How far a case's dispatch has got: cells, users pushed, users held back by the alert-fatigue limit.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseProgress")]
public sealed record CaseProgress(
    [property: Id(0)] string CaseId,
    [property: Id(1)] CaseStatus Status,
    [property: Id(2)] double RadiusMeters,
    [property: Id(3)] int CellsDone,
    [property: Id(4)] int CellsTotal,
    [property: Id(5)] long Recipients)
{
    /// <summary>Users inside the circle held back because they had reached the alert-fatigue limit.</summary>
    [Id(6)]
    public long Suppressed { get; init; }

    /// <summary>Notices (updates, the closing message, the correction) not yet handed to the push outbox for everyone they cover.</summary>
    [Id(7)]
    public int NoticesPending { get; init; }
}
