namespace Alerts.Geo;

/// <summary>A latitude/longitude rectangle in degrees (a geohash cell's bounds); MinLon is west of MaxLon, never wrapping.</summary>
public readonly record struct GeoBox(double MinLat, double MinLon, double MaxLat, double MaxLon)
{
    /// <summary>True when the point lies in the box, edges included.</summary>
    public bool Contains(double latitude, double longitude) =>
        latitude >= MinLat && latitude <= MaxLat && longitude >= MinLon && longitude <= MaxLon;

    /// <summary>The centre of the box.</summary>
    public GeoPoint Center => new((MinLat + MaxLat) / 2, (MinLon + MaxLon) / 2);
}
