namespace Alerts.GrainInterfaces;

/// <summary>The silo's half of a case (same grain): the dispatch steps, late arrivals and recovery.</summary>
[Alias("alerts.case-dispatch")]
[SiloOnly]
public interface ICaseDispatchGrain : IGrainWithStringKey
{
    /// <summary>
    /// Users who arrived inside the circle after their cell was dispatched. The case gathers them into full push
    /// batches and records what it holds once <c>LateArrivalMaxWait</c> has passed for the oldest.
    /// </summary>
    [OneWay, Alias("LateArrivals")]
    Task LateArrivals(List<long> userIds);

    /// <summary>Late arrivals gathered and not yet recorded (diagnostics and tests).</summary>
    [Alias("PendingLateArrivals")]
    Task<List<long>> PendingLateArrivals();

    /// <summary>Processes the next cells; the grain calls itself so other requests interleave between steps.</summary>
    [OneWay, Alias("ContinueDispatch")]
    Task ContinueDispatch(int generation);

    /// <summary>Sends the next users of the notices not yet sent to everyone they cover; the grain calls itself until done.</summary>
    [OneWay, Alias("ContinueNotices")]
    Task ContinueNotices();

    /// <summary>Picks up an unfinished dispatch or notice after a restart or a silo failure.</summary>
    [Alias("Resume")]
    Task Resume();
}
