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
/// When a report's cell calls fail, it settles what they left before its next report and on a timer (UserDirectoryGrain.Settling.cs).
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed partial class UserDirectoryGrain(
    ResidentStore store, DirectorySnapshot snapshot, MoveJournal journal, IOptions<AlertsOptions> options, ILogger<UserDirectoryGrain> logger) : Grain, IUserDirectoryGrain
{
    private readonly int _blockPrecision = options.Value.BlockPrecision;
    private readonly DirectoryTable _users = new(options.Value.BlockPrecision);
    private readonly TimeSpan _retryDelay = options.Value.DispatchRetryDelay;

    // The whole shard is read once on activation, so a user missing from the map is a new user.
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ReadableStorageErrors.DuringActivation(async () =>
        {
            var rows = await snapshot.TakeAsync((int)this.GetPrimaryKeyLong());
            _users.EnsureCapacity(rows.Count);
            foreach (var row in rows) _users.Set(row.UserId, new DirectoryEntry(row.Cell == 0 ? 0 : Geohash.FromPacked(row.Cell).Parent(_blockPrecision).Packed, row.FixMs, row.OptedOut));
            await ResumeJournaledMovesAsync();
        }, "loading the directory shard", this.GetGrainId());
        // Where each shard lives: after a silo dies, what its shards had left to settle is gone with them (see README).
        logger.LogInformation("Directory shard {Shard} active on {Silo} ({Users} users)", Shard, this.RuntimeIdentity, _users.Count);
    }

    public async Task<ShardResult> Apply(List<LocationUpdate> updates)
    {
        await SettleAsync();
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

        var journaled = await JournalAsync(moves);

        // Add to the new block first, then remove from the old: for a moment a user may be in both, never in neither.
        // The report waits for the writers after this shard's turn (see ResidencyGrain), so the shard is not held
        // while the database writes.
        var byBlock = ByBlock(moves);
        var upserts = new Task<Guid>?[byBlock.Count];
        try
        {
            for (var i = 0; i < upserts.Length; i++) upserts[i] = Cell(byBlock[i].Block).Upsert(byBlock[i].Fixes);
            await Task.WhenAll(upserts!);
        }
        catch
        {
            await KeepWhatBlocksTookAsync(moves, byBlock, upserts);
            Journaled(journaled, WritesOf(byBlock, upserts));
            throw;
        }

        var writes = WritesOf(byBlock, upserts);
        Journaled(journaled, writes);
        // A removal that fails is owed, and the report is answered all the same: the positions it gave are the new ones.
        await DepartAsync(Departures(moves, failedBlocks: null));
        return new ShardResult(applied, ignored, writes);
    }

    // One ticket per writer holding positions of the blocks that took them.
    private static List<WriteTicket> WritesOf(List<(long Block, List<ResidentFix> Fixes)> byBlock, Task<Guid>?[] upserts)
    {
        var writes = new List<WriteTicket>();
        for (var i = 0; i < upserts.Length; i++)
            if (upserts[i] is { IsCompletedSuccessfully: true } upsert && !writes.Exists(w => w.Writer == upsert.Result)) writes.Add(new WriteTicket(upsert.Result, byBlock[i].Block));
        return writes;
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
            Add(departures, move.Previous.Block, userId);
        }

        return departures;
    }

    public async Task SetOptOut(long userId, bool optedOut)
    {
        await store.SetOptOutAsync(userId, optedOut);
        var entry = _users[userId];
        _users.Set(userId, entry with { OptedOut = optedOut });
        if (entry.Block != 0) await Cell(entry.Block).SetOptOut(userId, optedOut);
        foreach (var block in UnsettledBlocksOf(userId).ToList()) await Cell(block).SetOptOut(userId, optedOut);
    }

    public async Task Erase(long userId)
    {
        var entry = _users[userId];
        if (entry.Block != 0) await Cell(entry.Block).Erase(userId);
        foreach (var block in UnsettledBlocksOf(userId).ToList()) await Cell(block).Erase(userId);
        ForgetUnsettled(userId);
        // The journal names the user and their blocks.
        await journal.ForgetUserAsync(Shard, userId);
        await store.EraseUserAsync(userId);
        await GrainFactory.GetGrain<IPushOutboxGrain>(0).EraseUser(userId);
        _users.Remove(userId);
    }

    private int Shard => (int)this.GetPrimaryKeyLong();

    private ICellGrain Cell(long packed) => GrainFactory.GetCell(Geohash.FromPacked(packed));

    // A user's part in one report: their entry before it, the fix that stands and its block.
    private readonly record struct Move(DirectoryEntry Previous, ResidentFix Fix, long Block);
}
