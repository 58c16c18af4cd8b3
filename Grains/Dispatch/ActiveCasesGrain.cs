using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Runtime;

namespace Alerts.Grains;

/// <summary>The cases being alerted, so a cell activated after dispatch began learns the cases that cover it. Rebuilt at start-up by the cases themselves.</summary>
[KeepAlive]
public sealed class ActiveCasesGrain(TimeProvider time) : Grain, IActiveCasesGrain
{
    private readonly Dictionary<string, ActiveCase> _cases = new();

    public Task Register(ActiveCase activeCase)
    {
        _cases[activeCase.CaseId] = activeCase;
        return Task.CompletedTask;
    }

    public Task Unregister(string caseId)
    {
        _cases.Remove(caseId);
        return Task.CompletedTask;
    }

    public Task<List<ActiveCase>> ForCell(string geohash)
    {
        var box = Geohash.Parse(geohash).Bounds;
        var now = time.GetUtcNow();
        return Task.FromResult(_cases.Values
            .Where(c => c.ActiveUntil > now && GreatCircle.MinDistanceToBox(c.Latitude, c.Longitude, box) <= c.RadiusMeters + CircleCover.ToleranceMeters)
            .ToList());
    }
}
