namespace Alerts.GrainInterfaces;

/// <summary>Every case filed, for admins' listings (a stateless worker: call any key).</summary>
[Alias("alerts.case-index")]
[RequiresRole(Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin)]
public interface ICaseIndexGrain : IGrainWithIntegerKey
{
    /// <summary>The most recently changed cases first, optionally only those in one state; at most <paramref name="limit"/> (1–10,000).</summary>
    [ReadOnly, Alias("List")]
    Task<List<CaseSummary>> List(CaseStatus? status, int limit);
}
