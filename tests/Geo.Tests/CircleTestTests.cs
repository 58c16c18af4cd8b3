namespace Alerts.Geo.Tests;

/// <summary>The many-point circle test gives the one-point rule's answers and distances, bit for bit, edges included.</summary>
public sealed class CircleTestTests
{
    private static readonly (double Lat, double Lon)[] Centres =
        [(22.5431, 114.0579), (0, 0), (-17.7134, 179.6), (89.9, 10), (-89.99, -170), (51.5, -0.1), (-33.9, 151.2)];

    private static readonly double[] Radii = [1, 850, 40_000, 120_000, 500_000, 2_000_000];

    [Fact]
    public void Points_around_each_circle_get_the_answer_and_the_distance_of_the_one_point_rule()
    {
        var random = new Random(7);
        var checkedInside = 0;
        foreach (var (lat, lon) in Centres)
        foreach (var radius in Radii)
        {
            var circle = GeoCircle.Create(lat, lon, radius);
            var test = new CircleTest(circle);
            for (var i = 0; i < 4_000; i++)
            {
                // Half near the circle (up to three radii away), half anywhere on the sphere.
                var point = i % 2 == 0
                    ? GreatCircle.Destination(lat, lon, random.NextDouble() * 360, random.NextDouble() * 3 * radius)
                    : new GeoPoint(random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180);
                checkedInside += Agrees(circle, test, point.Latitude, point.Longitude) ? 1 : 0;
            }
        }

        Assert.True(checkedInside > 10_000, $"too few points fell inside to test the distances: {checkedInside}");
    }

    [Fact]
    public void Points_hugging_the_edge_get_the_one_point_rules_answer()
    {
        var (inside, outside) = (0, 0);
        foreach (var (lat, lon) in Centres)
        foreach (var radius in Radii)
        {
            var circle = GeoCircle.Create(lat, lon, radius);
            var test = new CircleTest(circle);
            for (var bearing = 0.0; bearing < 360; bearing += 7.5)
            {
                // From a picometre to a tenth of a micrometre either side, and exactly on the edge.
                foreach (var offset in new[] { -1e-7, -1e-9, -1e-12, 0, 1e-12, 1e-9, 1e-7 })
                {
                    var point = GreatCircle.Destination(lat, lon, bearing, radius + offset);
                    if (Agrees(circle, test, point.Latitude, point.Longitude)) inside++;
                    else outside++;
                }
            }
        }

        // Both answers occur: the edge is really being probed from both sides.
        Assert.True(inside > 100 && outside > 100, $"inside {inside}, outside {outside}");
    }

    [Fact]
    public void The_distance_to_any_point_is_the_great_circle_distance()
    {
        var random = new Random(11);
        foreach (var (lat, lon) in Centres)
        {
            var test = new CircleTest(GeoCircle.Create(lat, lon, 1_000));
            for (var i = 0; i < 2_000; i++)
            {
                var (pLat, pLon) = (random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180);
                Assert.Equal(GreatCircle.Distance(lat, lon, pLat, pLon), test.DistanceTo(pLat, pLon));
            }
        }
    }

    private static bool Agrees(GeoCircle circle, CircleTest test, double lat, double lon)
    {
        var expected = circle.Contains(lat, lon);
        var actual = test.Contains(lat, lon, out var distance);
        Assert.True(expected == actual, $"({lat}, {lon}) against {circle}: the rule says {expected}, the test {actual}");
        if (actual) Assert.Equal(GreatCircle.Distance(circle.Center.Latitude, circle.Center.Longitude, lat, lon), distance);
        return actual;
    }
}
