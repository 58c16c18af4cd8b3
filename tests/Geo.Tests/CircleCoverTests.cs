namespace Alerts.Geo.Tests;

/// <summary>The cover's contract: no missed cell, inside cells wholly inside, boundary cells really touching, nearest first.</summary>
public sealed class CircleCoverTests
{
    public static TheoryData<string, double, double, double, int> Circles => new()
    {
        { "Shenzhen 120 km", 22.5431, 114.0579, 120_000, 5 },
        { "Fiji across the antimeridian", -17.7134, 178.065, 300_000, 4 },
        { "Fiji centre east of the antimeridian", -16.5, -179.9, 120_000, 5 },
        { "Svalbard", 78.2232, 15.6267, 120_000, 5 },
        { "North pole inside", 89.7, 30, 120_000, 4 },
        { "South pole exactly", -90, 0, 250_000, 3 },
        { "Near the south pole, over it", -89.9, -120, 50_000, 4 },
        { "100 m in a city", 48.8566, 2.3522, 100, 8 },
        { "100 m on the equator and prime meridian", 0, 0, 100, 7 },
        { "2,000 km", 35, -100, 2_000_000, 3 },
        { "500 km", -33.9, 18.4, 500_000, 4 },
        { "1 km", 40.7128, -74.006, 1_000, 6 },
    };

    [Theory]
    [MemberData(nameof(Circles))]
    public void No_point_inside_the_circle_falls_in_an_uncovered_cell(string name, double lat, double lon, double radius, int precision)
    {
        var circle = GeoCircle.Create(lat, lon, radius);
        var cover = CircleCover.Compute(circle, precision).Select(c => c.Cell).ToHashSet();
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 12345);
        var checkedPoints = 0;
        for (var i = 0; i < 20_000; i++)
        {
            // Half the samples spread over the disc, half hugging the edge where misses would hide.
            var distance = i % 2 == 0 ? radius * Math.Sqrt(random.NextDouble()) : radius * (1 - 1e-9 * random.NextDouble());
            var p = GreatCircle.Destination(lat, lon, random.NextDouble() * 360, distance);
            if (!circle.Contains(p.Latitude, p.Longitude)) continue;
            checkedPoints++;
            var cell = Geohash.Encode(p.Latitude, p.Longitude, precision);
            Assert.True(cover.Contains(cell), $"{name}: point {p} at {distance} m is in uncovered cell {cell}");
        }

        Assert.True(checkedPoints > 15_000, $"{name}: only {checkedPoints} points checked");
    }

    [Theory]
    [MemberData(nameof(Circles))]
    public void Cells_are_tight_and_nearest_first(string name, double lat, double lon, double radius, int precision)
    {
        var circle = GeoCircle.Create(lat, lon, radius);
        var cover = CircleCover.Compute(circle, precision);
        Assert.NotEmpty(cover);
        Assert.Equal(cover.Length, cover.Select(c => c.Cell).Distinct().Count());

        // Check a sample when the cover is large: the search below is slow by design.
        var step = Math.Max(1, cover.Length / 400);
        for (var i = 0; i < cover.Length; i += step)
        {
            var c = cover[i];
            var box = c.Cell.Bounds;
            var nearest = IndependentGeometry.MinDistance(lat, lon, box);
            Assert.True(Math.Abs(nearest - c.MinDistanceMeters) < 1e-3, $"{name}: {c.Cell} nearest {c.MinDistanceMeters} but search finds {nearest}");
            Assert.True(nearest <= radius + CircleCover.ToleranceMeters, $"{name}: boundary cell {c.Cell} does not reach the circle ({nearest} m)");
            if (c.Coverage == CellCoverage.Inside)
            {
                var farthest = IndependentGeometry.MaxDistance(lat, lon, box);
                Assert.True(farthest <= radius, $"{name}: inside cell {c.Cell} reaches {farthest} m > {radius}");
            }
        }

        for (var i = 1; i < cover.Length; i++) Assert.True(cover[i - 1].MinDistanceMeters <= cover[i].MinDistanceMeters);
    }

    [Theory]
    [MemberData(nameof(Circles))]
    public void Cover_equals_a_brute_force_scan_of_the_rows(string name, double lat, double lon, double radius, int precision)
    {
        // Every cell of every row the cap can reach is classified by the independent search; the cover
        // must hold each one that intersects, and a cell left out must not reach the circle.
        var circle = GeoCircle.Create(lat, lon, radius);
        var cover = CircleCover.Compute(circle, precision).ToDictionary(c => c.Cell);
        var latBits = Geohash.LatBits(precision);
        var columns = 1L << Geohash.LonBits(precision);
        var span = radius / GreatCircle.EarthRadiusMeters * 180 / Math.PI;
        var firstRow = Geohash.Encode(Math.Max(-90, lat - span), 0, precision).LatIndex;
        var lastRow = Geohash.Encode(Math.Min(90, lat + span), 0, precision).LatIndex;
        var cellDiagonal = 0.0;
        for (var row = Math.Max(0, firstRow - 1); row <= Math.Min((1L << latBits) - 1, lastRow + 1); row++)
        {
            for (var column = 0L; column < columns; column++)
            {
                var cell = Geohash.FromIndices(row, column, precision);
                var box = cell.Bounds;
                var center = box.Center;
                var corner = GreatCircle.Distance(center.Latitude, center.Longitude, box.MinLat, box.MinLon);
                cellDiagonal = Math.Max(cellDiagonal, corner);
                var centerDistance = GreatCircle.Distance(lat, lon, center.Latitude, center.Longitude);
                if (centerDistance - 2 * Math.Max(corner, GreatCircle.Distance(center.Latitude, center.Longitude, box.MaxLat, box.MinLon)) > radius) continue;
                var nearest = IndependentGeometry.MinDistance(lat, lon, box);
                if (nearest < radius - 1e-6) Assert.True(cover.ContainsKey(cell), $"{name}: {cell} at {nearest} m is missing");
                if (nearest > radius + 2e-3) Assert.False(cover.ContainsKey(cell), $"{name}: {cell} at {nearest} m should not be covered");
            }
        }
    }

    [Fact]
    public void A_120_km_circle_at_precision_5_has_about_two_thousand_cells_most_of_them_inside()
    {
        var cover = CircleCover.Compute(GeoCircle.Create(22.5431, 114.0579, 120_000), 5);
        Assert.InRange(cover.Length, 1_800, 2_600);
        Assert.True(cover.Count(c => c.Coverage == CellCoverage.Inside) > cover.Length * 3 / 4);
        Assert.Equal(Geohash.Encode(22.5431, 114.0579, 5), cover[0].Cell);
        Assert.Equal(0, cover[0].MinDistanceMeters);
    }

    [Fact]
    public void Antimeridian_cover_holds_cells_on_both_sides()
    {
        var cover = CircleCover.Compute(GeoCircle.Create(-17.7134, 179.5, 120_000), 5);
        Assert.Contains(cover, c => c.Cell.Bounds.MinLon >= 179);
        Assert.Contains(cover, c => c.Cell.Bounds.MaxLon <= -179);
    }

    [Fact]
    public void A_circle_over_the_pole_covers_every_longitude_near_the_pole()
    {
        var precision = 4;
        var cover = CircleCover.Compute(GeoCircle.Create(89.5, 10, 120_000), precision);
        var topRow = (1L << Geohash.LatBits(precision)) - 1;
        Assert.Equal(1L << Geohash.LonBits(precision), cover.Count(c => c.Cell.LatIndex == topRow));
    }

    [Fact]
    public void Invalid_precision_is_rejected_by_name()
    {
        var ex = Assert.Throws<GeoValidationException>(() => CircleCover.Compute(GeoCircle.Create(0, 0, 1000), 13));
        Assert.Equal("precision", ex.Field);
    }
}
