namespace Alerts.Bench.Compare;

/// <summary>The sphere each system measures distance on (metres).</summary>
public static class EarthRadii
{
    /// <summary>Ours: the product's contract (<c>GreatCircle</c>, the IUGG mean radius).</summary>
    public const double Ours = 6_371_008.8;

    /// <summary>
    /// PostGIS with <c>use_spheroid = false</c>: the WGS84 mean radius (2a + b) / 3 = 6,371,008.7714 m (PostGIS'
    /// <c>WGS84_RADIUS</c>); the harness also measures it from the server (<see cref="PostgisSystem.SphereRadiusAsync"/>).
    /// </summary>
    public const double PostgisSphere = (2 * 6_378_137.0 + (6_378_137.0 - 6_378_137.0 / 298.257223563)) / 3;

    /// <summary>Redis' GEO commands (<c>EARTH_RADIUS_IN_METERS</c> in geohash_helper.c).</summary>
    public const double Redis = 6_372_797.560856;
}
