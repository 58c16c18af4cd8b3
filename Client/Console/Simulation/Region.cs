using System.Globalization;
using Alerts.Geo;

namespace Alerts.Cli;

/// <summary>Where the simulated residents live: a circle around a named place, or a latitude/longitude box.</summary>
public sealed record Region(string Description, double South, double West, double North, double East, GeoCircle? Circle)
{
    /// <summary>True when the point lies in the region.</summary>
    public bool Contains(double latitude, double longitude) =>
        Circle is { } circle ? circle.Contains(latitude, longitude)
            : latitude >= South && latitude <= North && longitude >= West && longitude <= East;

    /// <summary>
    /// The circle of <paramref name="radiusKm"/> around the most populous place called <paramref name="name"/>
    /// ("Shenzhen", or "Springfield,US" to pick a country).
    /// </summary>
    public static Region AroundPlace(IReadOnlyList<Place> places, string name, double radiusKm)
    {
        var parts = name.Split(',', 2, StringSplitOptions.TrimEntries);
        var place = places
            .Where(p => string.Equals(p.Name, parts[0], StringComparison.OrdinalIgnoreCase) && (parts.Length == 1 || string.Equals(p.Country, parts[1], StringComparison.OrdinalIgnoreCase)))
            .MaxBy(p => p.Population)
            ?? throw new ConsoleFailure(ExitCodes.BadInput, $"city '{name}' is not among the places of 15,000 people or more (try the English name, e.g. Shenzhen, or add the country: Springfield,US)");
        if (!double.IsFinite(radiusKm) || radiusKm <= 0 || radiusKm > 2_000)
            throw new ConsoleFailure(ExitCodes.BadInput, $"region-km {radiusKm} is invalid: must be within (0, 2000]");
        var circle = GeoCircle.Create(place.Latitude, place.Longitude, radiusKm * 1000);
        var dLat = radiusKm / 111.2;
        var dLon = Math.Min(180, dLat / Math.Max(0.01, Math.Cos(place.Latitude * Math.PI / 180)));
        return new Region($"{place.Name} ({place.Country}) and {radiusKm:0.#} km around",
            Math.Max(-90, place.Latitude - dLat), place.Longitude - dLon, Math.Min(90, place.Latitude + dLat), place.Longitude + dLon, circle);
    }

    /// <summary>A box given as "south,west,north,east" in degrees.</summary>
    public static Region Box(string text)
    {
        var f = text.Split(',', StringSplitOptions.TrimEntries);
        if (f.Length != 4 || f.Any(x => !double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            throw new ConsoleFailure(ExitCodes.BadInput, $"bbox '{text}' is invalid: use south,west,north,east in degrees, e.g. 22.4,113.7,22.9,114.6");
        var (south, west, north, east) = (Parse(f[0]), Parse(f[1]), Parse(f[2]), Parse(f[3]));
        if (south is < -90 or > 90 || north is < -90 or > 90 || west is < -180 or > 180 || east is < -180 or > 180)
            throw new ConsoleFailure(ExitCodes.BadInput, $"bbox '{text}' is invalid: latitudes must be within [-90, 90], longitudes within [-180, 180]");
        if (south >= north || west >= east)
            throw new ConsoleFailure(ExitCodes.BadInput, $"bbox '{text}' is invalid: south must be below north and west below east");
        return new Region($"box {text}", south, west, north, east, null);
    }

    private static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
