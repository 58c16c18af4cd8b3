namespace Alerts.GrainInterfaces;

/// <summary>System-wide counters for admins (a stateless worker: call any key).</summary>
[Alias("alerts.stats")]
[RequiresRole(Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin)]
public interface IStatsGrain : IGrainWithIntegerKey
{
    /// <summary>Counts read from storage and the push hub now.</summary>
    [ReadOnly, Alias("Get")]
    Task<SystemStats> Get();
}
