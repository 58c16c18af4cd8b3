namespace Alerts.GrainInterfaces;

/// <summary>A missing-child case as admins see it (key = case id): file, dispatch, widen, close, watch.</summary>
[Alias("alerts.case")]
[RequiresRole(Roles.Admin)]
public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Files the case; the definition is validated field by field.</summary>
    [Alias("Open")]
    Task<CaseProgress> Open(CaseDefinition definition);

    /// <summary>Starts dispatching; returns at once, progress via <see cref="GetProgress"/> or <see cref="Watch"/>.</summary>
    [Alias("Dispatch")]
    Task<CaseProgress> Dispatch();

    /// <summary>Widens the radius; only users newly inside get a push.</summary>
    [Alias("Widen")]
    Task<CaseProgress> Widen(double radiusMeters);

    /// <summary>Ends the case (resolved or cancelled): no more pushes.</summary>
    [Alias("Close")]
    Task<CaseProgress> Close(CaseStatus outcome);

    /// <summary>Sends progress to the observer for a lease (returned); watch again within it, and after reconnecting.</summary>
    [Alias("Watch")]
    Task<TimeSpan> Watch(ICaseObserver observer);

    /// <summary>Dispatch progress.</summary>
    [ReadOnly, Alias("GetProgress")]
    Task<CaseProgress> GetProgress();
}
