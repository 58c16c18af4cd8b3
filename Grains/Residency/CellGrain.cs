using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// A geohash cell and its residents. Positions are written behind (every ResidentFlushInterval and on
/// deactivation); the cell reloads them on activation. It remembers the active cases that cover it so
/// a user who arrives inside a circle after the cell was dispatched still gets that case's push.
/// </summary>
public sealed class CellGrain(AlertsStore store, IOptions<AlertsOptions> options, TimeProvider time, ILogger<CellGrain> logger) : Grain, ICellGrain
{
    private readonly AlertsOptions _options = options.Value;
    private readonly ResidentTable _residents = new();
    private readonly Dictionary<long, ResidentFix> _dirty = new();
    private readonly HashSet<long> _removed = new();
    private readonly Dictionary<string, ActiveCase> _cases = new();
    private GeoBox _bounds;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _bounds = Geohash.Parse(this.GetPrimaryKeyString()).Bounds;
        foreach (var fix in await store.LoadCellAsync(this.GetPrimaryKeyString())) _residents.Upsert(fix);
        foreach (var activeCase in await GrainFactory.GetGrain<IActiveCasesGrain>(0).ForCell(this.GetPrimaryKeyString())) _cases[activeCase.CaseId] = activeCase;
        RegisterGrainTimer(_ => FlushAsync(), _options.ResidentFlushInterval, _options.ResidentFlushInterval);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => FlushAsync();

    public async Task Upsert(List<ResidentFix> fixes)
    {
        foreach (var fix in fixes)
        {
            _residents.Upsert(fix);
            _dirty[fix.UserId] = fix;
            _removed.Remove(fix.UserId);
        }

        await ReportLateArrivalsAsync(fixes);
    }

    public Task Remove(List<long> userIds)
    {
        foreach (var userId in userIds)
        {
            _residents.Remove(userId);
            _dirty.Remove(userId);
            _removed.Add(userId);
        }

        return Task.CompletedTask;
    }

    public Task SetOptOut(long userId, bool optedOut)
    {
        _residents.SetOptOut(userId, optedOut);
        if (_dirty.TryGetValue(userId, out var fix)) _dirty[userId] = fix with { OptedOut = optedOut };
        return Task.CompletedTask;
    }

    public Task Erase(long userId)
    {
        // The directory deletes the rows; nothing pending may write them back.
        _residents.Remove(userId);
        _dirty.Remove(userId);
        _removed.Remove(userId);
        return Task.CompletedTask;
    }

    public Task<List<long>> Collect(ActiveCase activeCase)
    {
        _cases[activeCase.CaseId] = activeCase;
        var circle = GeoCircle.Create(activeCase.Latitude, activeCase.Longitude, activeCase.RadiusMeters);
        // A cell wholly inside the circle needs no per-resident distance test.
        var whollyInside = GreatCircle.MaxDistanceToBox(activeCase.Latitude, activeCase.Longitude, _bounds) <= circle.RadiusMeters - CircleCover.ToleranceMeters;
        var freshAfter = FreshCutoffMs();
        var inside = new List<(long UserId, double Distance)>();
        for (var slot = 0; slot < _residents.Count; slot++)
        {
            var r = _residents[slot];
            if (r.OptedOut || r.FixUnixMs < freshAfter) continue;
            var distance = GreatCircle.Distance(activeCase.Latitude, activeCase.Longitude, r.Latitude, r.Longitude);
            if (whollyInside || distance <= circle.RadiusMeters) inside.Add((r.UserId, distance));
        }

        // Nearest first within the cell too.
        inside.Sort((a, b) => a.Distance.CompareTo(b.Distance));
        return Task.FromResult(inside.Select(i => i.UserId).ToList());
    }

    public Task EndCase(string caseId)
    {
        _cases.Remove(caseId);
        return Task.CompletedTask;
    }

    public Task<int> Count() => Task.FromResult(_residents.Count);

    public Task Flush() => FlushAsync();

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
            if (arrivals.Count > 0) await GrainFactory.GetGrain<ICaseGrain>(activeCase.CaseId).LateArrivals(arrivals);
        }
    }

    private long FreshCutoffMs() => (time.GetUtcNow() - _options.MaxPositionAge).ToUnixTimeMilliseconds();

    private async Task FlushAsync()
    {
        _residents.RemoveOlderThan(FreshCutoffMs());
        if (_dirty.Count == 0 && _removed.Count == 0) return;
        var upserts = _dirty.Values.ToList();
        var removals = _removed.ToList();
        try
        {
            await store.FlushResidentsAsync(this.GetPrimaryKeyString(), upserts, removals);
            foreach (var fix in upserts)
                if (_dirty.TryGetValue(fix.UserId, out var current) && current == fix) _dirty.Remove(fix.UserId);
            foreach (var userId in removals) _removed.Remove(userId);
        }
        catch (Exception e)
        {
            // Keep the changes for the next flush; the positions stay served from memory meanwhile.
            logger.LogError(e, "Flushing cell {Cell} failed; {Count} changes kept for the next try", this.GetPrimaryKeyString(), upserts.Count + removals.Count);
        }
    }
}
