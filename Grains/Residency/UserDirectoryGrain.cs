using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// One shard of the user directory: each user's current cell, last fix time and opt-out. It makes a
/// user resident in exactly one cell: a move adds them to the new cell, then removes them from the old.
/// It takes its shard of the stored rows once, when it activates (see <see cref="DirectorySnapshot"/>).
/// Kept alive: it is the authority while the table lags by up to one flush interval.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class UserDirectoryGrain(ResidentStore store, DirectorySnapshot snapshot, IOptions<AlertsOptions> options) : Grain, IUserDirectoryGrain
{
    private readonly int _precision = options.Value.CellPrecision;
    private readonly DirectoryTable _users = new();

    // The whole shard is read once on activation, so a user missing from the map is a new user.
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var rows = await snapshot.TakeAsync((int)this.GetPrimaryKeyLong());
        _users.EnsureCapacity(rows.Count);
        foreach (var row in rows) _users.Set(row.UserId, new DirectoryEntry(row.Cell, row.FixMs, row.OptedOut));
    }

    public async Task<ShardResult> Apply(List<LocationUpdate> updates)
    {
        AddUnknown(updates.Select(u => u.UserId));
        var applied = 0;
        var ignored = 0;
        var before = new Dictionary<long, long>();
        var previous = new Dictionary<long, DirectoryEntry>();
        var after = new Dictionary<long, ResidentFix>();
        var finalCell = new Dictionary<long, long>();
        foreach (var update in updates)
        {
            var entry = _users[update.UserId];
            var fixMs = update.FixTime.ToUnixTimeMilliseconds();
            if (entry.Cell != 0 && fixMs <= entry.FixMs)
            {
                ignored++;
                continue;
            }

            before.TryAdd(update.UserId, entry.Cell);
            previous.TryAdd(update.UserId, entry);
            var cell = Geohash.Encode(update.Latitude, update.Longitude, _precision).Packed;
            _users.Set(update.UserId, entry with { Cell = cell, FixMs = fixMs });
            after[update.UserId] = new ResidentFix(update.UserId, update.Latitude, update.Longitude, fixMs, entry.OptedOut);
            finalCell[update.UserId] = cell;
            applied++;
        }

        // Add to the new cell first, then remove from the old: for a moment a user may be in both, never in neither.
        try
        {
            await Task.WhenAll(after.Values.GroupBy(f => finalCell[f.UserId])
                .Select(g => Cell(g.Key).Upsert(g.ToList())));
        }
        catch
        {
            // A cell's silo failed: forget these fixes, so the gateway's retry of this report is applied, not ignored as old.
            foreach (var (userId, entry) in previous) _users.Set(userId, entry);
            throw;
        }

        await Task.WhenAll(before.Where(b => b.Value != 0 && b.Value != finalCell[b.Key]).GroupBy(b => b.Value)
            .Select(g => Cell(g.Key).Remove(g.Select(b => b.Key).ToList())));
        return new ShardResult(applied, ignored);
    }

    public async Task SetOptOut(long userId, bool optedOut)
    {
        AddUnknown([userId]);
        await store.SetOptOutAsync(userId, optedOut);
        var entry = _users[userId];
        _users.Set(userId, entry with { OptedOut = optedOut });
        if (entry.Cell != 0) await Cell(entry.Cell).SetOptOut(userId, optedOut);
    }

    public async Task Erase(long userId)
    {
        AddUnknown([userId]);
        var entry = _users[userId];
        if (entry.Cell != 0) await Cell(entry.Cell).Erase(userId);
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
