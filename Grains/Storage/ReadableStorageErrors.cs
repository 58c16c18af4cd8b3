using System.Data.Common;
using Alerts.GrainInterfaces;
using Orleans.Storage;

namespace Alerts.Grains;

/// <summary>
/// Wraps the grain storage so a database failure surfaces as <see cref="StorageUnavailableException"/>.
/// A state read fails during activation, before any call filter runs, and the driver's own exception
/// (e.g. PostgresException) has no Orleans codec: a client would get a CodecNotFoundException instead
/// of the reason. ETag conflicts pass through unchanged: they are Orleans' own and callers rely on them.
/// </summary>
public sealed class ReadableStorageErrors(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Translate(() => inner.ReadStateAsync(stateName, grainId, grainState), "reading", stateName, grainId);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Translate(() => inner.WriteStateAsync(stateName, grainId, grainState), "writing", stateName, grainId);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Translate(() => inner.ClearStateAsync(stateName, grainId, grainState), "clearing", stateName, grainId);

    /// <summary>
    /// Runs a grain's own table work during its activation (the push hub's outbox, a directory shard's rows), where no
    /// call filter runs either: a database failure leaves as <see cref="StorageUnavailableException"/>, so a client that
    /// called the grain reads why ("storage failed loading the outbox of pushhub/0: …").
    /// </summary>
    public static Task DuringActivation(Func<Task> work, string doing, GrainId grainId) => Translate(work, doing, "", grainId);

    private static async Task Translate(Func<Task> operation, string doing, string stateName, GrainId grainId)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (e is not InconsistentStateException && DriverError(e) is { } driver)
        {
            var what = stateName.Length == 0 ? doing : $"{doing} {stateName}";
            throw new StorageUnavailableException($"storage failed {what} of {grainId}: {driver.Message}");
        }
    }

    private static Exception? DriverError(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is DbException or TimeoutException) return x;
        return null;
    }
}
