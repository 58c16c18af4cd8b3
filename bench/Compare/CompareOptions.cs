using Alerts.Cli;

namespace Alerts.Bench.Compare;

/// <summary>What a comparison run does: how many users, how many untimed and timed selections per centre, our engine, the seed.</summary>
public sealed record CompareOptions(int Users, int Repetitions = 11, string OursEngine = "postgres", int Seed = 20261129)
{
    /// <summary>
    /// Untimed selections before the timed ones, at every centre and for every system alike: the medians describe a
    /// system in steady state (for ours, the selection code compiled fully optimised), not its first calls.
    /// </summary>
    public int WarmUps { get; init; } = 5;

    /// <summary>
    /// Whether ours' memory is also counted by kind of object, from heap dumps of the bench process before and after
    /// ingest (<see cref="Compare.HeapCensus"/>; two dumps of the whole heap, so off by default).
    /// </summary>
    public bool HeapCensus { get; init; }

    /// <summary>The GeoNames places the population is drawn from (the console's copy, shipped beside the bench).</summary>
    public string PlacesPath { get; init; } = PlaceTable.DefaultPath;

    /// <summary>
    /// Parses <c>[N] [--size 1m|10m] [--reps R] [--warm-ups W] [--ours postgres|sqlite] [--heap-census]</c> (after the word "compare").
    /// </summary>
    public static CompareOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CompareOptions(1_000_000);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--size":
                    options = options with { Users = Size(Value(args, ++i, "--size")) };
                    break;
                case "--reps":
                    options = options with { Repetitions = int.Parse(Value(args, ++i, "--reps"), System.Globalization.CultureInfo.InvariantCulture) };
                    break;
                case "--warm-ups":
                    options = options with { WarmUps = int.Parse(Value(args, ++i, "--warm-ups"), System.Globalization.CultureInfo.InvariantCulture) };
                    break;
                case "--ours":
                    var engine = Value(args, ++i, "--ours");
                    if (engine is not ("postgres" or "sqlite")) throw new ArgumentException($"--ours {engine} is invalid: postgres or sqlite");
                    options = options with { OursEngine = engine };
                    break;
                case "--heap-census":
                    options = options with { HeapCensus = true };
                    break;
                case "--places":
                    options = options with { PlacesPath = Value(args, ++i, "--places") };
                    break;
                default:
                    options = options with { Users = Size(args[i]) };
                    break;
            }
        }

        if (options.Users < 1_000) throw new ArgumentException($"{options.Users} users is too few: at least 1,000");
        if (options.Repetitions < 1) throw new ArgumentException("--reps must be at least 1");
        if (options.WarmUps < 1) throw new ArgumentException("--warm-ups must be at least 1 (the first answer is the one every timed answer must equal)");
        return options;
    }

    private static string Value(IReadOnlyList<string> args, int i, string name) =>
        i < args.Count ? args[i] : throw new ArgumentException($"{name} needs a value");

    // "1m", "10m", "20k" or a plain number.
    private static int Size(string text)
    {
        var t = text.Trim().ToLowerInvariant().Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        var factor = t.EndsWith('m') ? 1_000_000 : t.EndsWith('k') ? 1_000 : 1;
        if (factor > 1) t = t[..^1];
        if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value * factor > 50_000_000)
            throw new ArgumentException($"size '{text}' is invalid: a number of users such as 1000000, 1m or 10m (at most 50m)");
        return (int)(value * factor);
    }
}
