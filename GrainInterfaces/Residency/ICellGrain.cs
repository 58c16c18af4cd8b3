namespace Alerts.GrainInterfaces;

/// <summary>
/// The users resident in one block of geohash cells (key = the block's packed geohash at Alerts:BlockPrecision, see
/// <see cref="CellGrains"/>): one grain for the many cells of a block keeps activations and calls few.
/// </summary>
[Alias("alerts.cell")]
[SiloOnly]
public interface ICellGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Adds residents or moves them within the block; users newly inside an active case's circle are reported to the
    /// case. Returns the id of the writer that holds the changes until they are written (see <see cref="WhenWritten"/>).
    /// The list is passed without a copy: the caller must not change it after the call.
    /// </summary>
    [Alias("Upsert")]
    Task<Guid> Upsert([Immutable] List<ResidentFix> fixes);

    /// <summary>
    /// Returns once everything the given writer held at the call is written; fails when this activation's writer is
    /// another (the silo that held the changes stopped before writing them). Interleaves: it touches no state.
    /// </summary>
    [AlwaysInterleave, Alias("WhenWritten")]
    Task WhenWritten(Guid writer);

    /// <summary>
    /// As <see cref="WhenWritten"/>, but waits for the writer's next write whenever it comes, asking for none (a
    /// directory shard learning when its journaled moves are written must not split the writes reports wait for).
    /// </summary>
    [AlwaysInterleave, Alias("WhenNextWritten")]
    Task WhenNextWritten(Guid writer);

    /// <summary>
    /// Of these users, those the block holds, with the fix time it holds for each (Unix ms), answered once their positions
    /// are written: for a directory shard whose upsert here failed, which cannot tell whether the block took them.
    /// </summary>
    [Alias("Held")]
    Task<Dictionary<long, long>> Held(List<long> userIds);

    /// <summary>Removes residents who moved to another block.</summary>
    [Alias("Remove")]
    Task Remove(List<long> userIds);

    /// <summary>Marks a resident opted out or back in.</summary>
    [Alias("SetOptOut")]
    Task SetOptOut(long userId, bool optedOut);

    /// <summary>Drops a resident and their row at once.</summary>
    [Alias("Erase")]
    Task Erase(long userId);

    /// <summary>Residents inside the case's circle who may be alerted, nearest first; the grain then watches the case for late arrivals.</summary>
    [Alias("Collect")]
    Task<CollectedResidents> Collect(ActiveCase activeCase);

    /// <summary>Stops watching a case.</summary>
    [Alias("EndCase")]
    Task EndCase(string caseId);

    /// <summary>Takes a case's new terms (an extension moves its end) without collecting anyone.</summary>
    [Alias("TrackCase")]
    Task TrackCase(ActiveCase activeCase);

    /// <summary>Number of residents (diagnostics).</summary>
    [ReadOnly, Alias("Count")]
    Task<int> Count();

    /// <summary>Writes pending position changes now.</summary>
    [Alias("Flush")]
    Task Flush();
}
