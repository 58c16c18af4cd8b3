using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Residents placed around the lifecycle tests' centre, by bearing and distance, reported at the silo's epoch.</summary>
public static class Around
{
    /// <summary>The centre every lifecycle test uses (Shenzhen).</summary>
    public const double Lat = 22.5431, Lon = 114.0579;

    /// <summary>A location update for a user at a distance and bearing from the centre.</summary>
    public static LocationUpdate At(long userId, double distanceMeters, double bearing = 45, DateTimeOffset? fixTime = null)
    {
        var p = GreatCircle.Destination(Lat, Lon, bearing, distanceMeters);
        return new LocationUpdate(userId, p.Latitude, p.Longitude, fixTime ?? AlertsSilo.Epoch);
    }

    /// <summary>Users <paramref name="first"/>…, one every few degrees, all at <paramref name="distanceMeters"/>.</summary>
    public static List<LocationUpdate> Ring(long first, int count, double distanceMeters) =>
        Enumerable.Range(0, count).Select(i => At(first + i, distanceMeters, i * 360.0 / count)).ToList();

    /// <summary>Reports the updates and checks every one was applied.</summary>
    public static async Task ReportAsync(AlertsSilo silo, List<LocationUpdate> updates)
    {
        var result = await silo.Grains.GetGrain<IResidencyGrain>(0).Report(updates);
        Assert.Equal(updates.Count, result.Applied);
    }
}
