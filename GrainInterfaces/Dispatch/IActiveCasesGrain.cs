using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>The registry of cases being alerted (key 0), so a cell that activates learns which cases cover it.</summary>
[RequiresRole(Roles.Silo)]
public interface IActiveCasesGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or updates a case.</summary>
    Task Register(ActiveCase activeCase);

    /// <summary>Removes a case.</summary>
    Task Unregister(string caseId);

    /// <summary>The active cases whose circle meets a cell.</summary>
    [ReadOnly]
    Task<List<ActiveCase>> ForCell(string geohash);
}
