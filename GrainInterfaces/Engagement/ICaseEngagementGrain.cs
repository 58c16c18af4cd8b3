namespace Alerts.GrainInterfaces;

/// <summary>A case's engagement as admins read it (key = case id).</summary>
[Alias("alerts.case-engagement")]
[RequiresRole(Roles.Viewer, Roles.Liaison, Roles.Approver, Roles.Admin)]
public interface ICaseEngagementGrain : IGrainWithStringKey
{
    /// <summary>The live figures; an unknown case is <see cref="KeyNotFoundException"/>.</summary>
    [ReadOnly, Alias("GetStats")]
    Task<CaseEngagementStats> GetStats();

    /// <summary>The newest sightings first, at most <paramref name="limit"/> (1 to 1,000); an unknown case is <see cref="KeyNotFoundException"/>.</summary>
    [ReadOnly, Alias("ListSightings")]
    Task<List<Sighting>> ListSightings(int limit);

    /// <summary>One user's shares and the opens through their links; an unknown case is <see cref="KeyNotFoundException"/>.</summary>
    [ReadOnly, Alias("GetSharerReach")]
    Task<SharerReach> GetSharerReach(long userId);
}
