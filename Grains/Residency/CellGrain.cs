using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The residents of one block of geohash cells (see <see cref="ICellGrain"/>). Position changes go to the
/// <see cref="ResidentWriter"/> (write-behind) under each resident's own cell; the grain reloads its block's rows on
/// activation. It remembers the active cases that cover it so a user who arrives inside a circle after the block was
/// dispatched still gets that case's push.
/// </summary>
public sealed class CellGrain(CellLoads loads, ResidentCellIndex index, ResidentWriter writer, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, ICellGrain
{
    private readonly AlertsOptions _options = options.Value;
    private readonly ResidentTable _residents = new();
    private readonly Dictionary<string, ActiveCase> _cases = new();
    private Geohash _block;
    private GeoBox _bounds;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _block = Geohash.FromPacked(this.GetPrimaryKeyLong());
        _bounds = _block.Bounds;
        if (index.MayHaveRows(_block))
            foreach (var fix in await loads.LoadAsync(_block)) _residents.Upsert(fix);
        foreach (var activeCase in await GrainFactory.GetGrain<IActiveCasesGrain>(0).ForCell(_block.Packed)) _cases[activeCase.CaseId] = activeCase;
    }

    // Written before the activation is gone, so the next activation loads current rows.
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => writer.FlushAsync();

    public async Task Upsert(List<ResidentFix> fixes)
    {
        foreach (var fix in fixes)
        {
            _residents.Upsert(fix);
            writer.Upsert(CellOf(fix), fix);
        }

        await ReportLateArrivalsAsync(fixes);
    }

    public Task Remove(List<long> userIds)
    {
        // A resident this grain no longer holds (dropped as stale) needs no removal: the upsert in the new block moves the row.
        foreach (var userId in userIds)
            if (_residents.Remove(userId, out var was)) writer.Remove(CellOf(was), userId);
        return Task.CompletedTask;
    }
    public Task SetOptOut(long userId, bool optedOut)
    {
        _residents.SetOptOut(userId, optedOut);
        return Task.CompletedTask;
    }

    public Task Erase(long userId)
    {
        // The directory deletes the rows; nothing pending may write them back.
        _residents.Remove(userId);
        writer.Forget(userId);
        return Task.CompletedTask;
    }

    public Task<CollectedResidents> Collect(ActiveCase activeCase)
    {
        _cases[activeCase.CaseId] = activeCase;
        var freshAfter = FreshCutoffMs();
        _residents.RemoveOlderThan(freshAfter); // stale positions are never alerted; the purge deletes their rows
        var circle = GeoCircle.Create(activeCase.Latitude, activeCase.Longitude, activeCase.RadiusMeters);
        // A block wholly inside the circle needs no per-resident distance test (the distance still orders them).
        var whollyInside = GreatCircle.MaxDistanceToBox(activeCase.Latitude, activeCase.Longitude, _bounds) <= circle.RadiusMeters - CircleCover.ToleranceMeters;
        var ids = new long[_residents.Count];
        var distances = new double[_residents.Count];
        var found = 0;
        for (var slot = 0; slot < _residents.Count; slot++)
        {
            var r = _residents[slot];
            if (r.OptedOut || r.FixUnixMs < freshAfter) continue;
            var distance = GreatCircle.Distance(activeCase.Latitude, activeCase.Longitude, r.Latitude, r.Longitude);
            if (!whollyInside && distance > circle.RadiusMeters) continue;
            ids[found] = r.UserId;
            distances[found++] = distance;
        }

        if (found == 0) return Task.FromResult(CollectedResidents.None);
        // Nearest first; the case merges its grains' lists by these distances.
        Array.Sort(distances, ids, 0, found);
        var nearestFirst = new float[found];
        for (var i = 0; i < found; i++) nearestFirst[i] = (float)distances[i];
        return Task.FromResult(new CollectedResidents(ids[..found], nearestFirst));
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

    public Task<int> Count() => Task.FromResult(_residents.Count);

    public Task Flush() => writer.FlushAsync();

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

    // Rows are stored by cell, the grain holds a block of them.
    private Geohash CellOf(in ResidentFix fix) => Geohash.Encode(fix.Latitude, fix.Longitude, _options.CellPrecision);

    private long FreshCutoffMs() => (time.GetUtcNow() - _options.MaxPositionAge).ToUnixTimeMilliseconds();
}
