using BenchmarkDotNet.Attributes;
using Alerts.Geo;

namespace Alerts.Bench.Geo;

/// <summary>The cover of 1 km, 120 km and 500 km circles at precision 5, reusing the output list.</summary>
[MemoryDiagnoser]
public class CircleCoverBenchmarks
{
    private readonly List<CoveredCell> _cells = new(100_000);

    [Params(1_000, 120_000, 500_000)]
    public double RadiusMeters { get; set; }

    [Benchmark]
    public int Cover()
    {
        CircleCover.Compute(GeoCircle.Create(22.5431, 114.0579, RadiusMeters), 5, _cells);
        return _cells.Count;
    }
}
