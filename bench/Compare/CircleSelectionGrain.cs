using System.Diagnostics;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Microsoft.Extensions.Options;
using Orleans;

namespace Alerts.Bench.Compare;

/// <summary>
/// Bench-only: "ours, selection alone". The circle's cover at block precision (<see cref="CircleCover"/>) and every
/// covered cell grain's <see cref="ICellGrain.Collect"/>, all at once, merged nearest first, timed inside the silo:
/// what a case's dispatch asks the cell grains, without recording recipients or writing push batches.
/// </summary>
[Alias("bench.circleSelection")]
[RequiresRole(Roles.Gateway)]
public interface ICircleSelectionGrain : IGrainWithIntegerKey
{
    /// <summary>The residents within <paramref name="radiusMeters"/> of the centre.</summary>
    [Alias("Select")]
    Task<CircleSelection> Select(double latitude, double longitude, double radiusMeters);
}

/// <summary>See <see cref="ICircleSelectionGrain"/>.</summary>
public sealed class CircleSelectionGrain(IOptions<AlertsOptions> options) : Grain, ICircleSelectionGrain
{
    // Cells remember the cases that collected from them (for late arrivals): one name, already expired, so they
    // keep a single entry and never report arrivals for it.
    private const string CaseId = "bench-selection";

    private readonly List<CoveredCell> _cover = [];

    public async Task<CircleSelection> Select(double latitude, double longitude, double radiusMeters)
    {
        var elapsed = Stopwatch.StartNew();
        var circle = GeoCircle.Create(latitude, longitude, radiusMeters);
        // The blocks a circle touches are exactly the blocks of the cells it touches (a cell is inside its block), so the
        // cover is taken at block precision: a case's own cell-precision cover only counts its progress.
        CircleCover.Compute(circle, options.Value.BlockPrecision, _cover);
        var activeCase = new ActiveCase(CaseId, latitude, longitude, radiusMeters, DateTimeOffset.UnixEpoch);
        var collected = await Task.WhenAll(_cover.Select(b => GrainFactory.GetCell(b.Cell).Collect(activeCase)));
        var ids = CollectedResidents.Merge(collected).ToArray();
        elapsed.Stop();
        return new CircleSelection(ids, elapsed.Elapsed, _cover.Count);
    }
}
