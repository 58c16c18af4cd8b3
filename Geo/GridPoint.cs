namespace Alerts.Geo;

/// <summary>
/// A position rounded down onto the 2^32 × 2^32 grid that geohashes subdivide: two 32-bit indices (8 bytes where two
/// doubles take 16), within <see cref="MaxOffsetMeters"/> of the position, and in the same geohash cell as it at every
/// precision (a cell's edges are lines of this grid, and rounding down never crosses one).
/// </summary>
public readonly record struct GridPoint(uint LatIndex, uint LonIndex)
{
    private const int Bits = 32;
    private const double LatStep = 180.0 / (1L << Bits);
    private const double LonStep = 360.0 / (1L << Bits);

    /// <summary>
    /// The farthest a position lies from its grid point: one latitude step (4.7 mm) and one longitude step (9.3 mm at
    /// the equator, less elsewhere) together, 1.05 cm.
    /// </summary>
    public static readonly double MaxOffsetMeters = Math.PI * GreatCircle.EarthRadiusMeters / (1L << Bits) * Math.Sqrt(5);

    /// <summary>The grid point at or south-west of a valid position (latitude 90 and longitude 180 go to the last row and column).</summary>
    public static GridPoint Of(double latitude, double longitude) =>
        new((uint)Geohash.AxisIndex(latitude, -90, 180, Bits), (uint)Geohash.AxisIndex(longitude, -180, 360, Bits));

    /// <summary>The grid point's latitude in degrees (exact: the index times a step of a few significant bits).</summary>
    public double Latitude => -90 + LatIndex * LatStep;

    /// <summary>The grid point's longitude in degrees (exact).</summary>
    public double Longitude => -180 + LonIndex * LonStep;
}
