using System.Text.Json;

namespace Alerts.Geo.Tests;

/// <summary>Finds and reads the independent reference data in ../shared/testdata.</summary>
public static class TestData
{
    /// <summary>The testdata folder: $ALERTS_TESTDATA, or the first shared/testdata found walking up from the test binaries.</summary>
    public static string Folder { get; } = Locate();

    /// <summary>Every line of a JSONL file, parsed.</summary>
    public static IEnumerable<JsonElement> ReadJsonLines(string fileName)
    {
        foreach (var line in File.ReadLines(Path.Combine(Folder, fileName)))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            yield return doc.RootElement.Clone();
        }
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("ALERTS_TESTDATA");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata");
            if (File.Exists(Path.Combine(candidate, "geohash-vectors.jsonl"))) return candidate;
        }

        throw new InvalidOperationException("shared/testdata not found above " + AppContext.BaseDirectory + "; set ALERTS_TESTDATA");
    }
}
