using System.Globalization;

namespace Alerts.Cli;

/// <summary>Reads the places file shipped beside the console (GeoNames cities15000, CC BY 4.0; see Simulation/CITIES.md).</summary>
public static class PlaceTable
{
    /// <summary>Where the console's copy is.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Simulation", "cities15000.csv");

    /// <summary>Every place in <paramref name="path"/> (<c>geonameid,name,country,lat,lon,population</c>).</summary>
    public static List<Place> Load(string path)
    {
        if (!File.Exists(path)) throw new ConsoleFailure(ExitCodes.BadInput, $"places file {path} does not exist");
        var places = new List<Place>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = Fields(line);
            if (f.Count < 6) continue;
            places.Add(new Place(f[1], f[2], double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture)));
        }

        return places;
    }

    // Names may be quoted and hold commas ("Washington, D.C."); the file has no escaped quotes inside them.
    private static List<string> Fields(string line)
    {
        var fields = new List<string>(6);
        for (var i = 0; i <= line.Length;)
        {
            if (i < line.Length && line[i] == '"')
            {
                var close = line.IndexOf('"', i + 1);
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
