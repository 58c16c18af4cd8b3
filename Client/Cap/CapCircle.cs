using System.Globalization;
using Alerts.Geo;

namespace Alerts.Client.Cap;

/// <summary>A CAP circle, "lat,lon radius" in WGS 84 degrees and kilometres; a radius of 0 means "none given".</summary>
public sealed record CapCircle(double Latitude, double Longitude, double RadiusKm)
{
    /// <summary>Parses "lat,lon radius_km"; coordinates and radius are checked, each error naming the value.</summary>
    public static CapCircle Parse(string text)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var point = parts.Length == 2 ? parts[0].Split(',') : [];
        if (point.Length != 2) throw Bad($"\"{text}\" is not \"latitude,longitude radius_km\"");
        var latitude = Number(point[0], "latitude", text);
        var longitude = Number(point[1], "longitude", text);
        var radiusKm = Number(parts[1], "radius", text);
        if (GeoValidation.CheckLatitude(latitude) is { } latitudeError) throw Bad(latitudeError.Message);
        if (GeoValidation.CheckLongitude(longitude) is { } longitudeError) throw Bad(longitudeError.Message);
        if (radiusKm < 0) throw Bad($"radius {CapDecimal.Format(radiusKm)} km is negative");
        if (radiusKm * 1000 > GeoValidation.MaxSupportedRadiusMeters)
            throw Bad($"radius {CapDecimal.Format(radiusKm)} km is more than the {CapDecimal.Format(GeoValidation.MaxSupportedRadiusMeters / 1000)} km any case may have");
        return new CapCircle(latitude, longitude, radiusKm);
    }

    /// <summary>"lat,lon radius_km" with invariant, round-trippable plain decimals (<see cref="CapDecimal"/>).</summary>
    public override string ToString() => $"{CapDecimal.Format(Latitude)},{CapDecimal.Format(Longitude)} {CapDecimal.Format(RadiusKm)}";

    private static double Number(string text, string what, string circle) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Bad($"{what} \"{text}\" in \"{circle}\" is not a decimal number");

    private static CapFormatException Bad(string reason) => new("circle", reason);
}
