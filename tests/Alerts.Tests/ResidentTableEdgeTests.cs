using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>The cell table's rounded positions answer exactly away from a circle's edge and hand the narrow band along it to the caller.</summary>
public sealed class ResidentTableEdgeTests
{
    private const long Now = 1_796_000_000_000;

    private static readonly (double Lat, double Lon)[] Centres = [(22.5431, 114.0579), (-17.7134, 179.6), (78.2232, 15.6267), (0, 0)];
    private static readonly double[] Radii = [850, 120_000, 500_000];
    // Metres from the edge: well clear, just clear of the band, inside it, and on the edge itself.
    private static readonly double[] Offsets = [-1, -0.04, -0.02, -0.005, -0.0001, 0, 0.0001, 0.005, 0.02, 0.04, 1];

    [Fact]
    public void Residents_away_from_the_edge_are_decided_and_those_near_it_are_named_for_settling()
    {
        var random = new Random(5);
        var nearEdgeSeen = 0;
        foreach (var (lat, lon) in Centres)
        foreach (var radius in Radii)
        {
            var circle = GeoCircle.Create(lat, lon, radius);
            var table = new ResidentTable();
            var exact = new Dictionary<long, double>();
            long id = 1;
            for (var bearing = 0; bearing < 360; bearing += 3)
            foreach (var offset in Offsets)
            {
                var p = GreatCircle.Destination(lat, lon, bearing + random.NextDouble(), radius + offset);
                table.Upsert(new ResidentFix(id, p.Latitude, p.Longitude, Now, false));
                exact[id++] = GreatCircle.Distance(lat, lon, p.Latitude, p.Longitude);
            }

            var ids = new long[table.Count];
            var distances = new float[table.Count];
            var nearEdge = new List<(long UserId, double RoundedDistance)>();
            var found = table.Within(circle, allInside: false, Now - 1, ids, distances, nearEdge);
            var named = nearEdge.Select(n => n.UserId).ToHashSet();

            var decided = ids.Take(found).ToHashSet();
            var at = $"circle ({lat}, {lon}) r={radius}";
            Assert.All(decided, u => Assert.True(exact[u] <= radius, $"{at}: user {u} at {exact[u]} m taken as inside"));
            Assert.Empty(decided.Intersect(named));
            // The rounded distance handed along is within the grid's offset of the exact one (the fallback when no exact
            // position is left).
            Assert.All(nearEdge, n => Assert.True(Math.Abs(n.RoundedDistance - exact[n.UserId]) <= GridPoint.MaxOffsetMeters, $"{at}: user {n.UserId} rounded to {n.RoundedDistance} m, exact {exact[n.UserId]} m"));
            // Everyone inside is either decided or named; those named lie within the band (a narrow one: few are named).
            Assert.All(exact.Where(e => e.Value <= radius), e => Assert.True(decided.Contains(e.Key) || named.Contains(e.Key), $"{at}: user {e.Key} at {e.Value} m lost"));
            Assert.All(named, u => Assert.True(Math.Abs(exact[u] - radius) <= ResidentTable.NearEdgeMeters + GridPoint.MaxOffsetMeters, $"{at}: user {u} at {exact[u]} m named though far from the edge"));
            Assert.All(exact.Where(e => Math.Abs(e.Value - radius) > ResidentTable.NearEdgeMeters + GridPoint.MaxOffsetMeters), e => Assert.DoesNotContain(e.Key, named));
            nearEdgeSeen += nearEdge.Count;
        }

        Assert.True(nearEdgeSeen > 1_000, $"too few residents near the edge to test the band: {nearEdgeSeen}");
    }

    [Fact]
    public void A_block_wholly_inside_names_nobody()
    {
        var table = new ResidentTable();
        for (long id = 1; id <= 100; id++) table.Upsert(new ResidentFix(id, 22.5 + id * 1e-5, 114, Now, false));
        var nearEdge = new List<(long, double)>();
        // The caller knows the block is inside (here the circle ends a millimetre past the farthest resident, inside the band).
        var radius = GreatCircle.Distance(22.5, 114, 22.5 + 100 * 1e-5, 114) + 0.001;
        var found = table.Within(GeoCircle.Create(22.5, 114, radius), allInside: true, Now - 1, new long[100], new float[100], nearEdge);
        Assert.Equal(100, found);
        Assert.Empty(nearEdge);
    }
}
