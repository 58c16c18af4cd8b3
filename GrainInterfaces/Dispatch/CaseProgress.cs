namespace Alerts.GrainInterfaces;

/// <summary>How far a case's dispatch has got.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CaseProgress")]
public sealed record CaseProgress(
    [property: Id(0)] string CaseId,
    [property: Id(1)] CaseStatus Status,
    [property: Id(2)] double RadiusMeters,
    [property: Id(3)] int CellsDone,
    [property: Id(4)] int CellsTotal,
    [property: Id(5)] long Recipients);
