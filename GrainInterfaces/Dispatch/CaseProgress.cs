namespace Alerts.GrainInterfaces;

/// <summary>How far a case's dispatch has got.</summary>
public sealed record CaseProgress(string CaseId, CaseStatus Status, double RadiusMeters, int CellsDone, int CellsTotal, long Recipients);
