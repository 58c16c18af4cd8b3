namespace Alerts.Geo;

/// <summary>A spherical cap: every point within <see cref="RadiusMeters"/> of <see cref="Center"/>.</summary>
public readonly record struct GeoCircle
{
    private GeoCircle(GeoPoint center, double radiusMeters)
    {
        Center = center;
        RadiusMeters = radiusMeters;
    }

    /// <summary>The centre (where the child was last seen).</summary>
    public GeoPoint Center { get; }

    /// <summary>The radius in metres.</summary>
    public double RadiusMeters { get; }

    /// <summary>A validated circle; the radius must be positive and at most <paramref name="maxRadiusMeters"/>.</summary>
    public static GeoCircle Create(double latitude, double longitude, double radiusMeters, double maxRadiusMeters = GeoValidation.MaxSupportedRadiusMeters)
    {
        var center = GeoPoint.Create(latitude, longitude);
        if (GeoValidation.CheckRadius(radiusMeters, maxRadiusMeters) is { } error) throw error;
        return new GeoCircle(center, radiusMeters);
    }

    /// <summary>True when the point is within the radius (the product's inclusion rule).</summary>
    public bool Contains(double latitude, double longitude) =>
        GreatCircle.Distance(Center.Latitude, Center.Longitude, latitude, longitude) <= RadiusMeters;
}
