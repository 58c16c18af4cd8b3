namespace Alerts.Geo.Tests;

/// <summary>
/// The nearest and farthest distances from a point to a cell, against an independent numeric search: the cover's
/// "does this cell reach the circle" and a cell grain's "is this block wholly inside" rest on them, so the nearest may
/// never be too long and the farthest never too short.
/// </summary>
public sealed class BoxDistanceTests
{
    [Fact]
    public void A_centre_near_the_west_edge_of_its_block_is_far_from_the_blocks_east_corners()
    {
        // Tokyo in block xn7 (139.22°–140.63° E): the far corner is 128 km away; it read as 106 km, so the block was
        // taken as wholly inside a 120 km circle and its residents up to 128 km away were alerted.
        const double lat = 35.6895, lon = 139.69171;
        var block = Geohash.Encode(lat, lon, 3);
        var farthest = GreatCircle.MaxDistanceToBox(lat, lon, block.Bounds);
        Assert.True(farthest > 121_508, $"{block}: farthest {farthest} m, but a point in it is 121,508 m away");
        Assert.Equal(IndependentGeometry.MaxDistance(lat, lon, block.Bounds), farthest, 1e-3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Nearest_and_farthest_match_an_independent_search_for_boxes_around_and_across_the_points_meridian(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 3_000; i++)
        {
            // A point anywhere (the poles and the antimeridian included), and a cell near it, on its meridian, beside it,
            // or on the far side of the earth (which is where the farthest distance is computed from).
            var lat = i % 50 == 0 ? (random.Next(2) == 0 ? 89.9 : -89.9) : random.NextDouble() * 180 - 90;
            var lon = i % 40 == 0 ? 179.99 : random.NextDouble() * 360 - 180;
            var precision = random.Next(1, 6);
            var (cellLat, cellLon) = (i % 4) switch
            {
                0 => (lat, lon),
                1 => (Math.Clamp(lat + random.NextDouble() * 10 - 5, -90, 90), lon),
                2 => (Math.Clamp(lat + random.NextDouble() * 4 - 2, -90, 90), GreatCircle.WrapDegrees(lon + random.NextDouble() * 4 - 2)),
                _ => (-lat, GreatCircle.WrapDegrees(lon + 180 + random.NextDouble() * 2 - 1)),
            };
            var box = Geohash.Encode(cellLat, cellLon, precision).Bounds;
            var nearest = GreatCircle.MinDistanceToBox(lat, lon, box);
            var farthest = GreatCircle.MaxDistanceToBox(lat, lon, box);
            var searchedNearest = IndependentGeometry.MinDistance(lat, lon, box);
            // The search walks the edges: when the point's antipode lies inside the box, the farthest point is that antipode.
            var searchedFarthest = box.Contains(-lat, GreatCircle.WrapDegrees(lon + 180)) ? GreatCircle.HalfCircumferenceMeters : IndependentGeometry.MaxDistance(lat, lon, box);
            Assert.True(Math.Abs(nearest - searchedNearest) < 1e-3, $"({lat}, {lon}) to {box}: nearest {nearest} m, search {searchedNearest} m");
            Assert.True(Math.Abs(farthest - searchedFarthest) < 1e-3, $"({lat}, {lon}) to {box}: farthest {farthest} m, search {searchedFarthest} m");
        }
    }
}
