using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>A geohash cell (key = the geohash text) and the users resident in it.</summary>
[RequiresRole(Roles.Silo)]
public interface ICellGrain : IGrainWithStringKey
{
    /// <summary>Adds residents or moves them within the cell; users newly inside an active case's circle are reported to the case.</summary>
    Task Upsert(List<ResidentFix> fixes);

    /// <summary>Removes residents who moved to another cell.</summary>
    Task Remove(List<long> userIds);

    /// <summary>Marks a resident opted out or back in.</summary>
    Task SetOptOut(long userId, bool optedOut);

    /// <summary>Drops a resident and their row at once.</summary>
    Task Erase(long userId);

    /// <summary>Residents inside the case's circle who may be alerted, nearest first; the cell then watches the case for late arrivals.</summary>
    Task<List<long>> Collect(ActiveCase activeCase);

    /// <summary>Stops watching a case.</summary>
    Task EndCase(string caseId);

    /// <summary>Number of residents (diagnostics).</summary>
    [ReadOnly]
    Task<int> Count();

    /// <summary>Writes pending position changes now.</summary>
    Task Flush();
}
