namespace Alerts.Geo;

/// <summary>A position on the sphere in degrees; construct through <see cref="Create"/> to validate.</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude)
{
    /// <summary>A validated point; throws <see cref="GeoValidationException"/> naming the bad field.</summary>
    public static GeoPoint Create(double latitude, double longitude)
    {
        GeoValidation.ValidateCoordinates(latitude, longitude);
        return new GeoPoint(latitude, longitude);
    }

    /// <summary>Great-circle distance to another point, in metres.</summary>
    public double DistanceTo(GeoPoint other) => GreatCircle.Distance(Latitude, Longitude, other.Latitude, other.Longitude);
}
