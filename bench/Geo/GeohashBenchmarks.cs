using BenchmarkDotNet.Attributes;
using Alerts.Geo;

namespace Alerts.Bench.Geo;

/// <summary>Geohash encode, bounds, neighbours and text against a great-circle distance as the baseline.</summary>
[MemoryDiagnoser]
public class GeohashBenchmarks
{
    // Fields, not literals, so the JIT cannot fold the work away.
    private double _lat = 22.5431, _lon = 114.0579, _lat2 = 22.9, _lon2 = 113.7;
    private int _precision = 5;
    private string _text = "ws107";
    private Geohash _cell = Geohash.Encode(22.5431, 114.0579, 5);

    [Benchmark(Baseline = true)]
    public double Distance() => GreatCircle.Distance(_lat, _lon, _lat2, _lon2);

    [Benchmark]
    public Geohash Encode() => Geohash.Encode(_lat, _lon, _precision);

    [Benchmark]
    public GeoBox Decode() => _cell.Bounds;

    [Benchmark]
    public long Neighbours()
    {
        long sum = 0;
        for (var d = GeohashDirection.North; d <= GeohashDirection.NorthWest; d++) sum += _cell.Neighbor(d)?.Packed ?? 0;
        return sum;
    }

    [Benchmark]
    public string ToText() => _cell.ToString();

    [Benchmark]
    public Geohash Parse() => Geohash.Parse(_text);
}
