using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The directory's stored rows, read in one pass when the first shard activates and handed out shard by
/// shard: each shard filtering the whole residents table for its own users cost a full scan per shard
/// (a scan of a 10 M-row table per shard after every restart).
/// </summary>
public sealed class DirectorySnapshot(ResidentStore store, IOptions<AlertsOptions> options, bool onePass)
{
    private readonly object _gate = new();
    private Task<List<DirectoryRow>?[]>? _load;

    /// <summary>
    /// A shard's rows. Each shard's part is handed out once and then dropped; a shard activating again
    /// (it was deactivated) reads its own rows from the store.
    /// </summary>
    public async Task<List<DirectoryRow>> TakeAsync(int shard)
    {
        var shards = options.Value.DirectoryShards;
        if (shard < 0 || shard >= shards)
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"directory shard {shard} does not exist: Alerts:DirectoryShards is {shards} (every silo of a cluster needs the same value)");
        // In a cluster the shards activate on different silos: a whole snapshot here would mostly feed nobody.
        if (!onePass) return await store.LoadShardAsync(shard, options.Value.DirectoryShards);
        Task<List<DirectoryRow>?[]> load;
        lock (_gate) load = _load ??= LoadAsync();
        List<DirectoryRow>?[] parts;
        try
        {
            parts = await load;
        }
        catch
        {
            // A failed read is not kept: the next activation tries again.
            lock (_gate)
                if (ReferenceEquals(_load, load)) _load = null;
            throw;
        }

        List<DirectoryRow>? part;
        lock (_gate)
        {
            part = parts[shard];
            parts[shard] = null;
        }

        return part ?? await store.LoadShardAsync(shard, options.Value.DirectoryShards);
    }

    private async Task<List<DirectoryRow>?[]> LoadAsync() => await store.LoadDirectoryAsync(options.Value.DirectoryShards);
}
