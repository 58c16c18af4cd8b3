using System.Globalization;

namespace Alerts.Cli;

/// <summary>Reads the places file shipped beside the console (GeoNames cities15000, CC BY 4.0; see Simulation/CITIES.md).</summary>
public static class PlaceTable
{
    private static readonly string[] FieldNames = ["geonameid", "name", "country", "latitude", "longitude", "population"];

    /// <summary>Where the console's copy is.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Simulation", "cities15000.csv");

    /// <summary>
    /// Every place in <paramref name="path"/> (<c>geonameid,name,country,lat,lon,population</c>). A field that cannot be
    /// read is bad input naming the file, the line and the field, on one line.
    /// </summary>
    public static List<Place> Load(string path)
    {
        if (!File.Exists(path)) throw new ConsoleFailure(ExitCodes.BadInput, $"places file {path} does not exist");
        var places = new List<Place>();
        var number = 1;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            number++;
            var f = Fields(line, (field, value, problem) => Refused(path, number, field, value, problem));
            if (f.Count < 6) continue;
            var latitude = NumberOption.TryParse(f[3], out var lat) && lat is >= -90 and <= 90
                ? lat : throw Refused(path, number, 3, f[3], "is not a latitude within [-90, 90]");
            var longitude = NumberOption.TryParse(f[4], out var lon) && lon is >= -180 and <= 180
                ? lon : throw Refused(path, number, 4, f[4], "is not a longitude within [-180, 180]");
            var population = long.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var people)
                ? people : throw Refused(path, number, 5, f[5], "is not a whole number of people");
            places.Add(new Place(f[1], f[2], latitude, longitude, population));
        }

        return places;
    }

    private static ConsoleFailure Refused(string path, int line, int field, string value, string problem) =>
        new(ExitCodes.BadInput, $"places file {path} line {line}: {(field < FieldNames.Length ? FieldNames[field] : $"field {field + 1}")} \"{value}\" {problem}");

    // Names may be quoted and hold commas ("Washington, D.C."); the file has no escaped quotes inside them.
    private static List<string> Fields(string line, Func<int, string, string, ConsoleFailure> refused)
    {
        var fields = new List<string>(6);
        for (var i = 0; i <= line.Length;)
        {
            if (i < line.Length && line[i] == '"')
            {
                var close = line.IndexOf('"', i + 1);
                if (close < 0) throw refused(fields.Count, line[(i + 1)..], "has no closing quote");
                fields.Add(line[(i + 1)..close]);
                i = close + 2;
            }
            else
            {
                var comma = line.IndexOf(',', i);
                if (comma < 0) comma = line.Length;
                fields.Add(line[i..comma]);
                i = comma + 1;
            }
        }

        return fields;
    }
}
