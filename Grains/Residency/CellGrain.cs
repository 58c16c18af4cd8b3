using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The residents of one block of geohash cells (see <see cref="ICellGrain"/>). Position changes go to the silo's
/// <see cref="ResidentWriter"/> under each resident's own cell. On activation the grain loads its
/// block's stored rows in the background: a block may hold a city, and reports must not wait for it (after a restart
/// the first report touches every block); a collect or count waits for the load. It remembers the active cases that
/// cover it so a user who arrives inside a circle after the block was dispatched still gets that case's push.
/// </summary>
public sealed class CellGrain(CellLoads loads, ResidentStore store, ResidentCellIndex index, ResidentWriter writer, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<CellGrain> logger) : Grain, ICellGrain
{
    private readonly AlertsOptions _options = options.Value;
    private readonly ResidentTable _residents = new();
    private readonly Dictionary<string, ActiveCase> _cases = new();
    private Geohash _block;
    private GeoBox _bounds;
    // While the stored rows load: users who left (or were erased) and opt-out changes made meanwhile, which the
    // loaded rows must not undo. Null once loaded.
    private Task? _loading;
    private HashSet<long>? _leftWhileLoading;
    private Dictionary<long, bool>? _optOutsWhileLoading;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _block = Geohash.FromPacked(this.GetPrimaryKeyLong());
        _bounds = _block.Bounds;
        foreach (var activeCase in await GrainFactory.GetGrain<IActiveCasesGrain>(0).ForCell(_block.Packed)) _cases[activeCase.CaseId] = activeCase;
        if (index.MayHaveRows(_block))
        {
            _leftWhileLoading = [];
            _optOutsWhileLoading = [];
            _loading = LoadStoredRowsAsync();
        }
    }

    // Written before the activation is gone, so the next activation loads current rows.
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => writer.FlushAsync();

    public async Task<Guid> Upsert(List<ResidentFix> fixes)
    {
        Store(fixes);
        await ReportLateArrivalsAsync(fixes);
        return writer.Id;
    }

    // Into the table, and to the writer under each resident's own cell. A call mostly carries a few users, so their
    // changes go on the stack rather than in an array for each of the thousands of calls a report makes.
    private void Store(List<ResidentFix> fixes)
    {
        const int onStack = 128;
        var changes = fixes.Count <= onStack ? stackalloc (Geohash Cell, ResidentFix Fix)[fixes.Count] : new (Geohash Cell, ResidentFix Fix)[fixes.Count];
        for (var i = 0; i < fixes.Count; i++)
        {
            _residents.Upsert(fixes[i]);
            changes[i] = (CellOf(fixes[i]), fixes[i]);
        }

        writer.Upsert(changes);
    }

    public Task WhenWritten(Guid writerId)
    {
        CheckWriter(writerId);
        return writer.WhenWrittenAsync();
    }

    public Task WhenNextWritten(Guid writerId)
    {
        CheckWriter(writerId);
        return writer.WhenNextWrittenAsync();
    }

    // Another writer means another process: the one that took the changes is gone, and with it what it held.
    private void CheckWriter(Guid writerId)
    {
        if (writerId != writer.Id)
            throw new InvalidOperationException($"the silo that held these positions stopped before writing them (writer {writerId}); report them again");
    }

    public async Task<Dictionary<long, long>> Held(List<long> userIds)
    {
        // Its stored rows count: a block that took users and then lost its silo knows them only from the rows.
        await LoadedAsync();
        var held = new Dictionary<long, long>();
        foreach (var userId in userIds)
            if (_residents.TryGet(userId, out var fix)) held[userId] = fix.FixUnixMs;
        // Written before the answer: the directory may take a held fix as the user's newest and remove the old row.
        await writer.WhenWrittenAsync();
        return held;
    }

    public Task Remove(List<long> userIds)
    {
        // A resident this grain does not hold (dropped as stale, or not loaded yet) needs no row removal: the upsert
        // in the new block moves the row.
        foreach (var userId in userIds)
        {
            _leftWhileLoading?.Add(userId);
            if (_residents.Remove(userId, out var was)) writer.Remove(CellOf(was), userId);
        }

        return Task.CompletedTask;
    }

    public Task SetOptOut(long userId, bool optedOut)
    {
        if (_optOutsWhileLoading is not null) _optOutsWhileLoading[userId] = optedOut;
        _residents.SetOptOut(userId, optedOut);
        return Task.CompletedTask;
    }

    public Task Erase(long userId)
    {
        // The directory deletes the rows once this returns: nothing pending, or being written, may write them back.
        _leftWhileLoading?.Add(userId);
        _residents.Remove(userId);
        return writer.ForgetAsync(userId);
    }

    public async Task<CollectedResidents> Collect(ActiveCase activeCase)
    {
        _cases[activeCase.CaseId] = activeCase;
        await LoadedAsync();
        var freshAfter = FreshCutoffMs();
        _residents.RemoveOlderThan(freshAfter); // stale positions are never alerted; the purge deletes their rows
        var circle = GeoCircle.Create(activeCase.Latitude, activeCase.Longitude, activeCase.RadiusMeters);
        // A block wholly inside the circle needs no per-resident test (the distance still orders them).
        var whollyInside = GreatCircle.MaxDistanceToBox(activeCase.Latitude, activeCase.Longitude, _bounds) <= circle.RadiusMeters - CircleCover.ToleranceMeters;
        // Scratch from the pool: a dense block's arrays are megabytes, and the sort hands back arrays of the exact size.
        var ids = ArrayPool<long>.Shared.Rent(_residents.Count);
        var distances = ArrayPool<float>.Shared.Rent(_residents.Count);
        try
        {
            var nearEdge = new List<(long UserId, double RoundedDistance)>();
            var found = _residents.Within(circle, whollyInside, freshAfter, ids, distances, nearEdge);
            if (nearEdge.Count > 0) found = await SettleNearEdgeAsync(circle, nearEdge, ids, distances, found);
            if (found == 0) return CollectedResidents.None;
            // Nearest first; the case merges its grains' lists by these distances.
            var (sortedIds, sortedDistances) = NearestFirst.Sort(ids, distances, found);
            return new CollectedResidents(sortedIds, sortedDistances);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(distances);
        }
    }

    public Task EndCase(string caseId)
    {
        _cases.Remove(caseId);
        return Task.CompletedTask;
    }

    public Task TrackCase(ActiveCase activeCase)
    {
        // Only a grain that already follows the case: one that does not learns of it from the registry when it activates.
        if (_cases.ContainsKey(activeCase.CaseId)) _cases[activeCase.CaseId] = activeCase;
        return Task.CompletedTask;
    }

    public async Task<int> Count()
    {
        await LoadedAsync();
        return _residents.Count;
    }

    public Task Flush() => writer.FlushAsync();

    // Residents within a centimetre or two of the edge, whom the table's rounded positions cannot place: their exact
    // positions decide, as reported. Appends those inside after the first `found` and returns the new count.
    private async Task<int> SettleNearEdgeAsync(GeoCircle circle, List<(long UserId, double RoundedDistance)> nearEdge, long[] ids, float[] distances, int found)
    {
        // Positions not yet written are the writer's; it is asked first, so whatever it no longer holds is in the rows
        // before they are read. No report reaches the grain meanwhile: it is not reentrant.
        var exact = new Dictionary<long, GeoPoint>(nearEdge.Count);
        var toRead = new List<long>();
        foreach (var (userId, _) in nearEdge)
        {
            if (writer.TryGetUnwritten(userId, out var fix)) exact[userId] = new GeoPoint(fix.Latitude, fix.Longitude);
            else toRead.Add(userId);
        }

        if (toRead.Count > 0)
            foreach (var (userId, position) in await store.LoadPositionsAsync(toRead)) exact[userId] = position;

        foreach (var (userId, roundedDistance) in nearEdge)
        {
            // A row in another block: the user moved on and the directory's removal is on its way; the row is where they
            // are now, their new block judges it too, and the case pushes each user once. No position anywhere (the
            // purge took one that went stale meanwhile, or a removal raced an equal-time move): the rounded one decides,
            // the best left, a centimetre off at most.
            var distance = exact.TryGetValue(userId, out var position)
                ? GreatCircle.Distance(circle.Center.Latitude, circle.Center.Longitude, position.Latitude, position.Longitude)
                : roundedDistance;
            if (distance > circle.RadiusMeters) continue;
            ids[found] = userId;
            distances[found++] = (float)distance;
        }

        logger.LogDebug("Cell grain {Block}: {NearEdge} residents within {Band} m of the edge settled from their exact positions ({Read} read from the table)", _block, nearEdge.Count, ResidentTable.NearEdgeMeters, toRead.Count);
        return found;
    }

    private async Task ReportLateArrivalsAsync(List<ResidentFix> fixes)
    {
        if (_cases.Count == 0) return;
        var now = time.GetUtcNow();
        var freshAfter = FreshCutoffMs();
        foreach (var activeCase in _cases.Values.ToList())
        {
            if (activeCase.ActiveUntil <= now)
            {
                _cases.Remove(activeCase.CaseId);
                continue;
            }

            var arrivals = fixes
                .Where(f => !f.OptedOut && f.FixUnixMs >= freshAfter
                            && GreatCircle.Distance(activeCase.Latitude, activeCase.Longitude, f.Latitude, f.Longitude) <= activeCase.RadiusMeters)
                .Select(f => f.UserId).ToList();
            // One-way: the case may be calling this cell right now, so waiting for it could deadlock.
            if (arrivals.Count > 0) await GrainFactory.GetGrain<ICaseDispatchGrain>(activeCase.CaseId).LateArrivals(arrivals);
        }
    }

    private async Task LoadStoredRowsAsync()
    {
        List<ResidentFix> rows;
        try
        {
            rows = await loads.LoadAsync(_block);
        }
        catch (Exception e)
        {
            // Storage is unreachable: this activation cannot know its residents. The next call activates the grain
            // afresh and loads again (what this one took in is with the writer, and goes to storage before that).
            logger.LogWarning(e, "Cell grain {Block}: loading its stored residents failed; it deactivates to load again", _block);
            DeactivateOnIdle();
            throw;
        }

        // Reports that came meanwhile are newer than the stored rows, and so are departures and opt-out choices.
        foreach (var row in rows)
            if (!_residents.Contains(row.UserId) && !_leftWhileLoading!.Contains(row.UserId))
                _residents.Upsert(_optOutsWhileLoading!.TryGetValue(row.UserId, out var optedOut) ? row with { OptedOut = optedOut } : row);
        _leftWhileLoading = null;
        _optOutsWhileLoading = null;
        // Loaded: no need to keep the finished load (its state machine, 104 bytes a grain) for later callers.
        _loading = null;
    }

    private Task LoadedAsync() => _loading ?? Task.CompletedTask;

    // Rows are stored by cell, the grain holds a block of them.
    private Geohash CellOf(in ResidentFix fix) => Geohash.Encode(fix.Latitude, fix.Longitude, _options.CellPrecision);

    private long FreshCutoffMs() => (time.GetUtcNow() - _options.MaxPositionAge).ToUnixTimeMilliseconds();
}
