using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>
/// The cases being alerted, so a cell activated after dispatch began learns the cases that cover it.
/// Persistent: in a cluster this grain moves to another silo when its silo fails, and must not come back empty.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class ActiveCasesGrain(
    [PersistentState("active-cases", StorageNames.Alerts)] IPersistentState<ActiveCasesState> state,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, IActiveCasesGrain
{
    public async Task Register(ActiveCase activeCase)
    {
        var known = state.State.Cases.GetValueOrDefault(activeCase.CaseId);
        if (known == activeCase) return;
        state.State.Cases[activeCase.CaseId] = activeCase;
        await WriteAsync(undoIfUnwritten: () =>
        {
            if (known is null) state.State.Cases.Remove(activeCase.CaseId);
            else state.State.Cases[activeCase.CaseId] = known;
        });
    }

    public async Task Unregister(string caseId)
    {
        if (!state.State.Cases.Remove(caseId, out var known)) return;
        await WriteAsync(undoIfUnwritten: () => state.State.Cases[caseId] = known);
    }

    // Unwritten, the change is put back: the case's retry must find it still to be made, or it would be skipped as done
    // and lost when this grain next activates from storage.
    private async Task WriteAsync(Action undoIfUnwritten)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            undoIfUnwritten();
            throw;
        }
    }

    public Task<List<ActiveCase>> ForCell(long cell)
    {
        var box = Geohash.FromPacked(cell).Bounds;
        var now = time.GetUtcNow();
        return Task.FromResult(state.State.Cases.Values
            .Where(c => c.ActiveUntil > now && GreatCircle.MinDistanceToBox(c.Latitude, c.Longitude, box) <= c.RadiusMeters + CircleCover.ToleranceMeters)
            .ToList());
    }
}
