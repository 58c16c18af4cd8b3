namespace Alerts.GrainInterfaces;

/// <summary>The registry of cases being alerted (key 0), so a cell that activates learns which cases cover it.</summary>
[Alias("alerts.active-cases")]
[SiloOnly]
public interface IActiveCasesGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or updates a case.</summary>
    [Alias("Register")]
    Task Register(ActiveCase activeCase);

    /// <summary>Removes a case.</summary>
    [Alias("Unregister")]
    Task Unregister(string caseId);

    /// <summary>The active cases whose circle meets a cell (its packed geohash).</summary>
    [ReadOnly, Alias("ForCell")]
    Task<List<ActiveCase>> ForCell(long cell);
}
