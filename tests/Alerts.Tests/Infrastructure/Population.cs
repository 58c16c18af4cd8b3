using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Test residents around a point: rings just inside and just outside a radius, and a seeded random scatter.</summary>
public static class Population
{
    /// <summary>
    /// Users at radius − <paramref name="edgeOffset"/> and radius + <paramref name="edgeOffset"/> (1 m unless given) on 72
    /// bearings, plus <paramref name="scatter"/> random users within 1.5 radii.
    /// </summary>
    public static List<LocationUpdate> Around(long firstUserId, double lat, double lon, double radius, int scatter, DateTimeOffset fixTime, int seed = 7, double edgeOffset = 1)
    {
        var updates = new List<LocationUpdate>();
        var id = firstUserId;
        for (var bearing = 0; bearing < 360; bearing += 5)
        {
            foreach (var distance in new[] { radius - edgeOffset, radius + edgeOffset })
            {
                var p = GreatCircle.Destination(lat, lon, bearing, distance);
                updates.Add(new LocationUpdate(id++, p.Latitude, p.Longitude, fixTime));
            }
        }

        var random = new Random(seed);
        for (var i = 0; i < scatter; i++)
        {
            var p = GreatCircle.Destination(lat, lon, random.NextDouble() * 360, 1.5 * radius * Math.Sqrt(random.NextDouble()));
            updates.Add(new LocationUpdate(id++, p.Latitude, p.Longitude, fixTime));
        }

        return updates;
    }

    /// <summary>The users of <paramref name="updates"/> whose position is within the radius.</summary>
    public static HashSet<long> Inside(IEnumerable<LocationUpdate> updates, double lat, double lon, double radius) =>
        updates.Where(u => GreatCircle.Distance(lat, lon, u.Latitude, u.Longitude) <= radius).Select(u => u.UserId).ToHashSet();

    /// <summary>Reports updates in batches of at most 10,000.</summary>
    public static async Task<IngestResult> ReportAsync(IResidencyGrain residency, IReadOnlyList<LocationUpdate> updates)
    {
        int applied = 0, ignored = 0, rejected = 0;
        foreach (var chunk in updates.Chunk(10_000))
        {
            var r = await residency.Report(chunk.ToList());
            applied += r.Applied;
            ignored += r.Ignored;
            rejected += r.Rejected;
        }

        return new IngestResult(applied, ignored, rejected, []);
    }
}
