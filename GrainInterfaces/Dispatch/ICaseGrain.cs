using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>A missing-child case (key = case id): fans pushes out to every resident inside its circle, nearest cells first.</summary>
[RequiresRole(Roles.Admin)]
public interface ICaseGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Files the case; the definition is validated field by field.</summary>
    Task<CaseProgress> Open(CaseDefinition definition);

    /// <summary>Starts dispatching; returns at once, progress via <see cref="GetProgress"/>.</summary>
    Task<CaseProgress> Dispatch();

    /// <summary>Widens the radius; only users newly inside get a push.</summary>
    Task<CaseProgress> Widen(double radiusMeters);

    /// <summary>Ends the case (resolved or cancelled): no more pushes.</summary>
    Task<CaseProgress> Close(CaseStatus outcome);

    /// <summary>Sends progress to the observer until it disconnects; watch again after reconnecting.</summary>
    Task Watch(ICaseObserver observer);

    /// <summary>Dispatch progress.</summary>
    [ReadOnly]
    Task<CaseProgress> GetProgress();

    /// <summary>Users who arrived inside the circle after their cell was dispatched.</summary>
    [RequiresRole(Roles.Silo)]
    [OneWay]
    Task LateArrivals(List<long> userIds);

    /// <summary>Processes the next cells; the grain calls itself so other requests interleave between steps.</summary>
    [RequiresRole(Roles.Silo)]
    [OneWay]
    Task ContinueDispatch(int generation);

    /// <summary>Picks up an unfinished dispatch after a restart.</summary>
    [RequiresRole(Roles.Silo)]
    Task Resume();
}
