namespace Alerts.Geo.Tests;

/// <summary>Seeded random properties of encoding, decoding, text and neighbours.</summary>
public sealed class GeohashPropertyTests
{
    private static IEnumerable<(double Lat, double Lon, int Precision)> Points(int seed, int count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
            yield return (random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180, random.Next(1, 13));
    }

    [Fact]
    public void Encode_then_bounds_contains_the_point_and_text_round_trips()
    {
        foreach (var (lat, lon, p) in Points(1, 50_000))
        {
            var hash = Geohash.Encode(lat, lon, p);
            Assert.Equal(p, hash.Precision);
            Assert.True(hash.Bounds.Contains(lat, lon), $"{hash} bounds {hash.Bounds} miss ({lat}, {lon})");
            Assert.Equal(hash, Geohash.Parse(hash.ToString()));
            Assert.Equal(hash, Geohash.Parse(hash.ToString().ToUpperInvariant()));
            Assert.Equal(hash, Geohash.FromPacked(hash.Packed));
            Assert.Equal(hash, Geohash.FromIndices(hash.LatIndex, hash.LonIndex, p));
            // The cell's centre encodes back to the same cell.
            Assert.Equal(hash, Geohash.Encode(hash.Bounds.Center.Latitude, hash.Bounds.Center.Longitude, p));
        }
    }

    [Fact]
    public void Order_keys_round_trip_and_a_cells_range_holds_exactly_the_cells_its_text_prefixes()
    {
        var random = new Random(7);
        var outside = 0;
        foreach (var (lat, lon, p) in Points(8, 50_000))
        {
            var block = Geohash.Encode(lat, lon, p);
            Assert.Equal(block, Geohash.FromOrderKey(block.OrderKey));
            // Half the time a cell near the block's point (often inside it), half anywhere, at any precision.
            var (cellLat, cellLon) = random.Next(2) == 0
                ? (Math.Clamp(lat + (random.NextDouble() - 0.5) * 1e-3, -90, 90), Math.Clamp(lon + (random.NextDouble() - 0.5) * 1e-3, -180, 180))
                : (random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180);
            var cell = Geohash.Encode(cellLat, cellLon, random.Next(1, 13));
            var (first, last) = block.OrderKeyRange;
            var inRange = first <= cell.OrderKey && cell.OrderKey <= last;
            Assert.True(cell.ToString().StartsWith(block.ToString(), StringComparison.Ordinal) == inRange, $"{cell} against {block}'s range");
            if (!inRange) outside++;
        }

        // Both answers were tried many times.
        Assert.InRange(outside, 10_000, 40_000);
    }

    [Fact]
    public void Shorter_hash_is_a_prefix_of_the_longer()
    {
        foreach (var (lat, lon, p) in Points(2, 5_000))
        {
            var full = Geohash.Encode(lat, lon, 12).ToString();
            Assert.Equal(full[..p], Geohash.Encode(lat, lon, p).ToString());
        }
    }

    [Fact]
    public void A_point_on_an_edge_belongs_to_the_cell_north_east_of_it()
    {
        foreach (var (lat, lon, p) in Points(3, 5_000))
        {
            var box = Geohash.Encode(lat, lon, p).Bounds;
            var northEast = Geohash.Encode(box.MinLat, box.MinLon, p);
            Assert.Equal(box, northEast.Bounds);
            if (box.MaxLat < 90) Assert.Equal(box.MaxLat, Geohash.Encode(box.MaxLat, box.MinLon, p).Bounds.MinLat);
            if (box.MaxLon < 180) Assert.Equal(box.MaxLon, Geohash.Encode(box.MinLat, box.MaxLon, p).Bounds.MinLon);
        }

        // The poles and the antimeridian belong to the last row and column.
        Assert.Equal("zzzzzz", Geohash.Encode(90, 180, 6).ToString());
        Assert.Equal("000000", Geohash.Encode(-90, -180, 6).ToString());
    }

    [Fact]
    public void Neighbours_are_symmetric_and_adjacent()
    {
        var opposite = new Dictionary<GeohashDirection, GeohashDirection>
        {
            [GeohashDirection.North] = GeohashDirection.South, [GeohashDirection.South] = GeohashDirection.North,
            [GeohashDirection.East] = GeohashDirection.West, [GeohashDirection.West] = GeohashDirection.East,
            [GeohashDirection.NorthEast] = GeohashDirection.SouthWest, [GeohashDirection.SouthWest] = GeohashDirection.NorthEast,
            [GeohashDirection.NorthWest] = GeohashDirection.SouthEast, [GeohashDirection.SouthEast] = GeohashDirection.NorthWest,
        };
        foreach (var (lat, lon, p) in Points(4, 10_000))
        {
            var hash = Geohash.Encode(lat, lon, p);
            foreach (var (direction, back) in opposite)
            {
                var neighbor = hash.Neighbor(direction);
                if (neighbor is null)
                {
                    Assert.True(hash.LatIndex == 0 || hash.LatIndex == (1L << Geohash.LatBits(p)) - 1, $"{hash} lost its {direction} neighbour away from a pole");
                    continue;
                }

                Assert.Equal(hash, neighbor.Value.Neighbor(back));
                var a = hash.Bounds;
                var b = neighbor.Value.Bounds;
                Assert.True(a.MaxLat == b.MinLat || a.MinLat == b.MaxLat || a.MinLat == b.MinLat, $"{hash} {direction} {neighbor} not adjacent in latitude");
            }
        }
    }

    [Fact]
    public void Neighbours_wrap_across_the_antimeridian_and_stop_at_the_poles()
    {
        var east = Geohash.Encode(0, 179.99, 5);
        var across = east.Neighbor(GeohashDirection.East)!.Value;
        Assert.Equal(-180, across.Bounds.MinLon);
        Assert.Equal(east, across.Neighbor(GeohashDirection.West));
        Assert.Null(Geohash.Encode(89.99, 0, 5).Neighbor(GeohashDirection.North));
        Assert.Null(Geohash.Encode(-89.99, 0, 5).Neighbor(GeohashDirection.SouthWest));
    }

    [Fact]
    public void A_parent_is_the_coarser_cell_that_contains_the_point_and_its_text_prefix()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var (lat, lon) = (random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180);
            var fine = Geohash.Encode(lat, lon, random.Next(1, 13));
            var coarser = random.Next(1, fine.Precision + 1);
            var parent = fine.Parent(coarser);
            Assert.Equal(Geohash.Encode(lat, lon, coarser), parent);
            Assert.StartsWith(parent.ToString(), fine.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_parent_cannot_be_finer_than_the_cell()
    {
        var ex = Assert.Throws<GeoValidationException>(() => Geohash.Parse("ws10").Parent(5));
        Assert.Equal("precision", ex.Field);
        Assert.Contains("at most the cell's own precision 4", ex.Message);
    }
}
