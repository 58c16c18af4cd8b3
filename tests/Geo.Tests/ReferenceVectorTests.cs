namespace Alerts.Geo.Tests;

/// <summary>Checks every reference vector in shared/testdata: geohash text, bounds and neighbours, and distances.</summary>
public sealed class ReferenceVectorTests
{
    private static readonly (string Key, GeohashDirection Direction)[] Directions =
    [
        ("n", GeohashDirection.North), ("ne", GeohashDirection.NorthEast), ("e", GeohashDirection.East), ("se", GeohashDirection.SouthEast),
        ("s", GeohashDirection.South), ("sw", GeohashDirection.SouthWest), ("w", GeohashDirection.West), ("nw", GeohashDirection.NorthWest),
    ];

    [Fact]
    public void Every_geohash_vector_matches_hash_bounds_and_neighbours()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var v in TestData.ReadJsonLines("geohash-vectors.jsonl"))
        {
            count++;
            var lat = v.GetProperty("lat").GetDouble();
            var lon = v.GetProperty("lon").GetDouble();
            var precision = v.GetProperty("p").GetInt32();
            var expected = v.GetProperty("hash").GetString()!;

            var hash = Geohash.Encode(lat, lon, precision);
            if (hash.ToString() != expected) failures.Add($"encode({lat}, {lon}, {precision}) = {hash}, expected {expected}");

            var parsed = Geohash.Parse(expected);
            if (parsed != hash) failures.Add($"parse({expected}) != encode");

            var bbox = v.GetProperty("bbox").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var b = parsed.Bounds;
            if (b.MinLat != bbox[0] || b.MinLon != bbox[1] || b.MaxLat != bbox[2] || b.MaxLon != bbox[3])
                failures.Add($"bounds({expected}) = {b}, expected [{string.Join(", ", bbox)}]");

            var neighbors = v.GetProperty("neighbors");
            foreach (var (key, direction) in Directions)
            {
                var expectedNeighbor = neighbors.GetProperty(key);
                var actual = parsed.Neighbor(direction)?.ToString();
                var wanted = expectedNeighbor.ValueKind == System.Text.Json.JsonValueKind.Null ? null : expectedNeighbor.GetString();
                if (actual != wanted) failures.Add($"neighbor({expected}, {key}) = {actual ?? "null"}, expected {wanted ?? "null"}");
            }
        }

        Assert.True(count >= 2000, $"only {count} vectors read");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void Every_distance_vector_matches_the_sphere_to_a_millimetre()
    {
        var worst = 0.0;
        var count = 0;
        var failures = new List<string>();
        foreach (var v in TestData.ReadJsonLines("distance-vectors.jsonl"))
        {
            count++;
            var d = GreatCircle.Distance(v.GetProperty("lat1").GetDouble(), v.GetProperty("lon1").GetDouble(),
                v.GetProperty("lat2").GetDouble(), v.GetProperty("lon2").GetDouble());
            var expected = v.GetProperty("sphere_m").GetDouble();
            var error = Math.Abs(d - expected);
            worst = Math.Max(worst, error);
            if (error >= 0.001) failures.Add($"{v}: got {d}, error {error} m");
        }

        Assert.Equal(1000, count);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void Sphere_and_wgs84_differ_by_at_most_half_a_percent()
    {
        // Quantifies the model choice documented in DESIGN.md: the product measures on the sphere.
        var worst = TestData.ReadJsonLines("distance-vectors.jsonl")
            .Select(v => Math.Abs(v.GetProperty("sphere_m").GetDouble() - v.GetProperty("wgs84_m").GetDouble()) / v.GetProperty("wgs84_m").GetDouble())
            .Max();
        Assert.InRange(worst, 0.0001, 0.006);
    }
}
