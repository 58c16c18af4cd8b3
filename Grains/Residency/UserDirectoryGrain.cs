using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// One shard of the user directory: each user's current block (the cell grain they are resident in), last fix time
/// and opt-out. It makes a user resident in exactly one cell grain: a move to another block adds them to the new
/// grain, then removes them from the old.
/// It takes its shard of the stored rows once, when it activates (see <see cref="DirectorySnapshot"/>).
/// Kept alive: it is the authority while the table lags by up to one flush interval.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class UserDirectoryGrain(ResidentStore store, DirectorySnapshot snapshot, IOptions<AlertsOptions> options) : Grain, IUserDirectoryGrain
{
    private readonly int _blockPrecision = options.Value.BlockPrecision;
    private readonly DirectoryTable _users = new(options.Value.BlockPrecision);

    // The whole shard is read once on activation, so a user missing from the map is a new user.
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ReadableStorageErrors.DuringActivation(async () =>
        {
            var rows = await snapshot.TakeAsync((int)this.GetPrimaryKeyLong());
            _users.EnsureCapacity(rows.Count);
            foreach (var row in rows) _users.Set(row.UserId, new DirectoryEntry(row.Cell == 0 ? 0 : Geohash.FromPacked(row.Cell).Parent(_blockPrecision).Packed, row.FixMs, row.OptedOut));
        }, "loading the directory shard", this.GetGrainId());
    }

    public async Task<ShardResult> Apply(List<LocationUpdate> updates)
    {
        AddUnknown(updates.Select(u => u.UserId));
        var applied = 0;
        var ignored = 0;
        var before = new Dictionary<long, long>();
        var previous = new Dictionary<long, DirectoryEntry>();
        var after = new Dictionary<long, ResidentFix>();
        var finalBlock = new Dictionary<long, long>();
        foreach (var update in updates)
        {
            var entry = _users[update.UserId];
            var fixMs = update.FixTime.ToUnixTimeMilliseconds();
            var block = Geohash.Encode(update.Latitude, update.Longitude, _blockPrecision).Packed;
            // An older fix is ignored. The same fix again (a gateway retrying a report that failed) is applied again, so
            // its answer, like any report's, comes only once the position is written; but only in the block that holds
            // the user: a second position for the same instant in another block stays out. The store lets an equal fix
            // overwrite (that is what rewrites a retry), so the old block's write could land after the new block's on
            // another silo, and the old block's removal would then delete the only row.
            if (entry.Block != 0 && (fixMs < entry.FixMs || fixMs == entry.FixMs && block != entry.Block))
            {
                ignored++;
                continue;
            }

            before.TryAdd(update.UserId, entry.Block);
            previous.TryAdd(update.UserId, entry);
            _users.Set(update.UserId, entry with { Block = block, FixMs = fixMs });
            after[update.UserId] = new ResidentFix(update.UserId, update.Latitude, update.Longitude, fixMs, entry.OptedOut, FirstFix: entry.Block == 0);
            finalBlock[update.UserId] = block;
            applied++;
        }

        // Add to the new block first, then remove from the old: for a moment a user may be in both, never in neither.
        // The report waits for the writers after this shard's turn (see ResidencyGrain), so the shard is not held
        // while the database writes.
        var writes = new List<WriteTicket>();
        try
        {
            var blocks = after.Values.GroupBy(f => finalBlock[f.UserId]).Select(g => (Block: g.Key, Fixes: g.ToList())).ToList();
            var writers = await Task.WhenAll(blocks.Select(b => Cell(b.Block).Upsert(b.Fixes)));
            for (var i = 0; i < writers.Length; i++)
                if (!writes.Exists(w => w.Writer == writers[i])) writes.Add(new WriteTicket(writers[i], blocks[i].Block));
        }
        catch
        {
            // A cell grain's silo failed: forget these fixes, so the gateway's retry of this report is applied, not ignored as old.
            foreach (var (userId, entry) in previous) _users.Set(userId, entry);
            throw;
        }

        await Task.WhenAll(before.Where(b => b.Value != 0 && b.Value != finalBlock[b.Key]).GroupBy(b => b.Value)
            .Select(g => Cell(g.Key).Remove(g.Select(b => b.Key).ToList())));
        return new ShardResult(applied, ignored, writes);
    }

    public async Task SetOptOut(long userId, bool optedOut)
    {
        AddUnknown([userId]);
        await store.SetOptOutAsync(userId, optedOut);
        var entry = _users[userId];
        _users.Set(userId, entry with { OptedOut = optedOut });
        if (entry.Block != 0) await Cell(entry.Block).SetOptOut(userId, optedOut);
    }

    public async Task Erase(long userId)
    {
        AddUnknown([userId]);
        var entry = _users[userId];
        if (entry.Block != 0) await Cell(entry.Block).Erase(userId);
        await store.EraseUserAsync(userId);
        await GrainFactory.GetGrain<IPushOutboxGrain>(0).EraseUser(userId);
        _users.Remove(userId);
    }

    private ICellGrain Cell(long packed) => GrainFactory.GetCell(Geohash.FromPacked(packed));

    private void AddUnknown(IEnumerable<long> userIds)
    {
        foreach (var userId in userIds) _users.TryAdd(userId);
    }
}
