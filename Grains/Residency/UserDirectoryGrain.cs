using System.Runtime.InteropServices;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// One shard of the user directory: each user's current block (the cell grain they are resident in), last fix time
/// and opt-out. It makes a user resident in exactly one cell grain: a move to another block adds them to the new
/// grain, then removes them from the old.
/// It takes its shard of the stored rows once, when it activates (see <see cref="DirectorySnapshot"/>).
/// Kept alive: it is the authority while the table lags by up to one flush interval.
/// When a report's cell calls partly fail, the users whose new block took them stay there and the others are rolled back;
/// a departure that failed is owed, and made before the shard's next report.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class UserDirectoryGrain(ResidentStore store, DirectorySnapshot snapshot, IOptions<AlertsOptions> options, ILogger<UserDirectoryGrain> logger) : Grain, IUserDirectoryGrain
{
    private readonly int _blockPrecision = options.Value.BlockPrecision;
    private readonly DirectoryTable _users = new(options.Value.BlockPrecision);
    // Users a block still holds though they have left it (its removal failed), by block. Empty but for failures.
    private readonly Dictionary<long, HashSet<long>> _owedDepartures = new();

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
        await MakeOwedDeparturesAsync();
        var applied = 0;
        var ignored = 0;
        // Per user: the entry before this report (to roll back, and the block they leave) and the fix that stands.
        var moves = new Dictionary<long, Move>(updates.Count);
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

            _users.Set(update.UserId, entry with { Block = block, FixMs = fixMs });
            var fix = new ResidentFix(update.UserId, update.Latitude, update.Longitude, fixMs, entry.OptedOut, FirstFix: entry.Block == 0);
            ref var move = ref CollectionsMarshal.GetValueRefOrAddDefault(moves, update.UserId, out var seen);
            move = new Move(seen ? move.Previous : entry, fix, block);
            applied++;
        }

        // Add to the new block first, then remove from the old: for a moment a user may be in both, never in neither.
        // The report waits for the writers after this shard's turn (see ResidencyGrain), so the shard is not held
        // while the database writes.
        var byBlock = ByBlock(moves);
        var upserts = byBlock.Select(b => Cell(b.Block).Upsert(b.Fixes)).ToArray();
        try
        {
            await Task.WhenAll(upserts);
        }
        catch
        {
            await KeepWhatBlocksTookAsync(moves, byBlock, upserts);
            throw;
        }

        var writes = new List<WriteTicket>();
        for (var i = 0; i < upserts.Length; i++)
            if (!writes.Exists(w => w.Writer == upserts[i].Result)) writes.Add(new WriteTicket(upserts[i].Result, byBlock[i].Block));
        await DepartAsync(Departures(moves, failedBlocks: null));
        return new ShardResult(applied, ignored, writes);
    }

    // Some blocks' silos failed. Their users are rolled back (still in the block they were in), so the gateway's retry of
    // this report is applied to them, not ignored as old. The users whose new block took them stay there and leave the
    // old one, as on success: rolled back, they would be in two blocks until a retry came, and a newer fix without one
    // would leave them in the new block for good, where a case could alert them at a place they had left.
    private async Task KeepWhatBlocksTookAsync(Dictionary<long, Move> moves, List<(long Block, List<ResidentFix> Fixes)> byBlock, Task<Guid>[] upserts)
    {
        var failedBlocks = new HashSet<long>();
        for (var i = 0; i < upserts.Length; i++)
            if (!upserts[i].IsCompletedSuccessfully) failedBlocks.Add(byBlock[i].Block);
        foreach (var (userId, move) in moves)
            if (failedBlocks.Contains(move.Block)) _users.Set(userId, move.Previous);
        logger.LogWarning("Directory shard {Shard}: {Failed} of {Blocks} blocks failed to take a report's users; theirs are rolled back for the retry", this.GetPrimaryKeyLong(), failedBlocks.Count, byBlock.Count);
        try
        {
            await DepartAsync(Departures(moves, failedBlocks));
        }
        catch (Exception e)
        {
            // Owed now; the report fails with the upsert's error, which is the one the gateway must retry.
            logger.LogWarning(e, "Directory shard {Shard}: removals after a failed report failed too; owed till its next report", this.GetPrimaryKeyLong());
        }
    }

    // Removals from the blocks users left. One that fails is owed, not retried by the gateway: the retry finds the user
    // already in their new block, so it has nothing to leave.
    private async Task DepartAsync(Dictionary<long, List<long>> departures)
    {
        var blocks = departures.Keys.ToArray();
        var removals = blocks.Select(b => Cell(b).Remove(departures[b])).ToArray();
        try
        {
            await Task.WhenAll(removals);
        }
        catch
        {
            for (var i = 0; i < removals.Length; i++)
            {
                if (removals[i].IsCompletedSuccessfully) continue;
                ref var owed = ref CollectionsMarshal.GetValueRefOrAddDefault(_owedDepartures, blocks[i], out _);
                (owed ??= []).UnionWith(departures[blocks[i]]);
            }

            throw;
        }
    }

    // Before a report: the removals owed from failed ones, for users still away from that block (one who came back since
    // is its resident again). One that fails again stays owed; the report goes on.
    private async Task MakeOwedDeparturesAsync()
    {
        if (_owedDepartures.Count == 0) return;
        var departures = new Dictionary<long, List<long>>();
        foreach (var (block, users) in _owedDepartures)
        {
            var away = users.Where(u => _users[u].Block != block).ToList();
            if (away.Count > 0) departures[block] = away;
        }

        _owedDepartures.Clear();
        try
        {
            await DepartAsync(departures);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Directory shard {Shard}: removals owed from {Blocks} blocks failed again; owed till its next report", this.GetPrimaryKeyLong(), _owedDepartures.Count);
        }
    }

    // The standing fixes grouped by their block (one call each), by sorting rather than hashing: a report's shard part
    // spans hundreds of blocks, and grouping was a fifth of what ingest allocated.
    private static List<(long Block, List<ResidentFix> Fixes)> ByBlock(Dictionary<long, Move> moves)
    {
        var blocks = new long[moves.Count];
        var fixes = new ResidentFix[moves.Count];
        var n = 0;
        foreach (var move in moves.Values)
        {
            blocks[n] = move.Block;
            fixes[n++] = move.Fix;
        }

        Array.Sort(blocks, fixes);
        var groups = new List<(long Block, List<ResidentFix> Fixes)>();
        for (var start = 0; start < n;)
        {
            var end = start + 1;
            while (end < n && blocks[end] == blocks[start]) end++;
            groups.Add((blocks[start], new List<ResidentFix>(new ArraySegment<ResidentFix>(fixes, start, end - start))));
            start = end;
        }

        return groups;
    }

    // The users who left a block they were in before this report, by that block; not those whose new block failed.
    private static Dictionary<long, List<long>> Departures(Dictionary<long, Move> moves, HashSet<long>? failedBlocks)
    {
        var departures = new Dictionary<long, List<long>>();
        foreach (var (userId, move) in moves)
        {
            if (move.Previous.Block == 0 || move.Previous.Block == move.Block || failedBlocks?.Contains(move.Block) == true) continue;
            ref var users = ref CollectionsMarshal.GetValueRefOrAddDefault(departures, move.Previous.Block, out _);
            (users ??= []).Add(userId);
        }

        return departures;
    }

    public async Task SetOptOut(long userId, bool optedOut)
    {
        await store.SetOptOutAsync(userId, optedOut);
        var entry = _users[userId];
        _users.Set(userId, entry with { OptedOut = optedOut });
        if (entry.Block != 0) await Cell(entry.Block).SetOptOut(userId, optedOut);
    }

    public async Task Erase(long userId)
    {
        var entry = _users[userId];
        if (entry.Block != 0) await Cell(entry.Block).Erase(userId);
        await store.EraseUserAsync(userId);
        await GrainFactory.GetGrain<IPushOutboxGrain>(0).EraseUser(userId);
        _users.Remove(userId);
    }

    private ICellGrain Cell(long packed) => GrainFactory.GetCell(Geohash.FromPacked(packed));

    // A user's part in one report: their entry before it, the fix that stands and its block.
    private readonly record struct Move(DirectoryEntry Previous, ResidentFix Fix, long Block);
}
