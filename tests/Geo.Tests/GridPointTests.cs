namespace Alerts.Geo.Tests;

/// <summary>Grid points stay within their stated offset of the position, south-west of it, and in its geohash cell at every precision, edges included.</summary>
public sealed class GridPointTests
{
    private const double LatStep = 180.0 / 4294967296.0;
    private const double LonStep = 360.0 / 4294967296.0;

    [Fact]
    public void Random_positions_round_down_within_the_offset_and_keep_their_cell_at_every_precision()
    {
        var random = new Random(11);
        for (var i = 0; i < 50_000; i++)
        {
            var (lat, lon) = (i % 4) switch
            {
                0 => (random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180),
                1 => (90 - random.NextDouble() * 1e-3, random.NextDouble() * 360 - 180), // near the north pole
                2 => (random.NextDouble() * 180 - 90, 180 - random.NextDouble() * 1e-6), // the antimeridian's east side
                _ => (22.5 + random.NextDouble() * 1e-6, 114 + random.NextDouble() * 1e-6), // a few centimetres of one city
            };
            AssertGridPointOf(lat, lon);
        }
    }

    [Fact]
    public void Positions_on_a_cell_edge_and_a_hair_below_it_stay_in_their_own_cells()
    {
        var random = new Random(12);
        for (var i = 0; i < 20_000; i++)
        {
            var precision = random.Next(Geohash.MinPrecision, Geohash.MaxPrecision + 1);
            var box = Geohash.Encode(random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180, precision).Bounds;
            // The south-west corner itself (which belongs to this cell), then the largest doubles below each edge (which
            // belong to the neighbours): where rounding in the arithmetic would carry a position across.
            AssertGridPointOf(box.MinLat, box.MinLon);
            if (box.MinLat > -90) AssertGridPointOf(Math.BitDecrement(box.MinLat), box.MinLon);
            if (box.MinLon > -180) AssertGridPointOf(box.MinLat, Math.BitDecrement(box.MinLon));
            AssertGridPointOf(Math.BitDecrement(box.MaxLat), Math.BitDecrement(box.MaxLon));
        }
    }

    [Fact]
    public void The_corners_of_the_world_and_grid_points_themselves_read_back_as_given()
    {
        Assert.Equal(new GridPoint(0, 0), GridPoint.Of(-90, -180));
        Assert.Equal((-90.0, -180.0), (GridPoint.Of(-90, -180).Latitude, GridPoint.Of(-90, -180).Longitude));
        // The pole and the antimeridian have no row or column of their own: they go to the last ones.
        Assert.Equal(new GridPoint(uint.MaxValue, uint.MaxValue), GridPoint.Of(90, 180));
        Assert.Equal(new GridPoint(1u << 31, 1u << 31), GridPoint.Of(0, 0));

        var random = new Random(13);
        for (var i = 0; i < 10_000; i++)
        {
            var grid = new GridPoint((uint)random.NextInt64(0, 1L << 32), (uint)random.NextInt64(0, 1L << 32));
            Assert.Equal(grid, GridPoint.Of(grid.Latitude, grid.Longitude));
        }
    }

    [Fact]
    public void The_stated_offset_is_the_grid_diagonal_about_a_centimetre()
    {
        // One latitude step and one longitude step at the equator, on the product's sphere.
        var diagonal = GreatCircle.Distance(0, 0, LatStep, LonStep);
        Assert.True(Math.Abs(GridPoint.MaxOffsetMeters - diagonal) <= diagonal * 1e-9, $"{GridPoint.MaxOffsetMeters} m stated, {diagonal} m measured");
        Assert.InRange(GridPoint.MaxOffsetMeters, 0.0104, 0.0105);
    }

    private static void AssertGridPointOf(double lat, double lon)
    {
        var grid = GridPoint.Of(lat, lon);
        var at = $"({lat:R}, {lon:R}) -> ({grid.Latitude:R}, {grid.Longitude:R})";
        // Rounded down to the nearest grid line: the next line up (where there is one) is past the position.
        Assert.True(grid.Latitude <= lat && (grid.LatIndex == uint.MaxValue || (grid with { LatIndex = grid.LatIndex + 1 }).Latitude > lat), $"latitude not rounded down to the grid: {at}");
        Assert.True(grid.Longitude <= lon && (grid.LonIndex == uint.MaxValue || (grid with { LonIndex = grid.LonIndex + 1 }).Longitude > lon), $"longitude not rounded down to the grid: {at}");
        Assert.True(GreatCircle.Distance(lat, lon, grid.Latitude, grid.Longitude) <= GridPoint.MaxOffsetMeters, $"farther than the stated offset: {at}");
        for (var precision = Geohash.MinPrecision; precision <= Geohash.MaxPrecision; precision++)
            Assert.True(Geohash.Encode(lat, lon, precision) == Geohash.Encode(grid.Latitude, grid.Longitude, precision), $"left its cell at precision {precision}: {at}");
    }
}
