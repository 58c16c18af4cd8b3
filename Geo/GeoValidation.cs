namespace Alerts.Geo;

/// <summary>The input checks of the geometry contract: finite coordinates in range, a positive bounded radius.</summary>
public static class GeoValidation
{
    /// <summary>The largest radius the geometry supports: below a quarter of the sphere's circumference, so a cap is smaller than a hemisphere.</summary>
    public const double MaxSupportedRadiusMeters = 10_000_000;

    /// <summary>Null when the latitude is valid, otherwise the exception that explains why not.</summary>
    public static GeoValidationException? CheckLatitude(double latitude, string field = "latitude")
    {
        if (!double.IsFinite(latitude)) return new(field, latitude, "must be a finite number");
        if (latitude is < -90 or > 90) return new(field, latitude, "must be within [-90, 90]");
        return null;
    }

    /// <summary>Null when the longitude is valid, otherwise the exception that explains why not.</summary>
    public static GeoValidationException? CheckLongitude(double longitude, string field = "longitude")
    {
        if (!double.IsFinite(longitude)) return new(field, longitude, "must be a finite number");
        if (longitude is < -180 or > 180) return new(field, longitude, "must be within [-180, 180]");
        return null;
    }

    /// <summary>Null when the radius is valid for the given maximum, otherwise the exception that explains why not.</summary>
    public static GeoValidationException? CheckRadius(double radiusMeters, double maxRadiusMeters = MaxSupportedRadiusMeters, string field = "radiusMeters")
    {
        if (!double.IsFinite(radiusMeters)) return new(field, radiusMeters, "must be a finite number");
        if (radiusMeters <= 0) return new(field, radiusMeters, "must be greater than 0");
        var max = Math.Min(maxRadiusMeters, MaxSupportedRadiusMeters);
        // In km too: admins give radii in km (the console's --radius-km), the API in metres.
        if (radiusMeters > max)
            return new(field, radiusMeters, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be at most {max:R} m ({max / 1000:0.###} km)"));
        return null;
    }

    /// <summary>Throws when the coordinate pair is invalid.</summary>
    public static void ValidateCoordinates(double latitude, double longitude)
    {
        if (CheckLatitude(latitude) is { } lat) throw lat;
        if (CheckLongitude(longitude) is { } lon) throw lon;
    }
}
