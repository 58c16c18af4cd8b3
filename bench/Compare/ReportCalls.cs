using System.Globalization;
using Alerts.Cli;
using Alerts.Geo;

namespace Alerts.Bench.Compare;

/// <summary>
/// How many cell grain calls a report makes with each number of directory shards: each shard calls every block its
/// part of the report touches once. Counted on the comparison's population and report order, at the default block
/// precision (or the one ALERTS_BENCH_Alerts__BlockPrecision names), without running anything.
/// </summary>
public static class ReportCalls
{
    /// <summary>Prints the mean calls per report for 64 down to 1 shard.</summary>
    public static void Print(int users)
    {
        var population = ComparePopulation.Create(users, PlaceTable.DefaultPath, new CompareOptions(users).Seed);
        // The block size a compare run would use: the product's default unless this run overrides it.
        var blockPrecision = BenchSettings.Overrides().TryGetValue("Alerts:BlockPrecision", out var overridden) && overridden is not null
            ? int.Parse(overridden, CultureInfo.InvariantCulture)
            : new Alerts.Grains.AlertsOptions().BlockPrecision;
        var blocks = new long[population.Count];
        for (var i = 0; i < population.Count; i++) blocks[i] = Geohash.Encode(population.Latitudes[i], population.Longitudes[i], blockPrecision).Packed;
        Console.WriteLine(FormattableString.Invariant($"{users:N0} users, reports of {OursSystem.ReportSize:N0} in id order, blocks at precision {blockPrecision}"));
        foreach (var shards in new[] { 64, 16, 8, 4, 2, 1 })
        {
            long calls = 0;
            var reports = 0;
            for (var start = 0; start < population.Count; start += OursSystem.ReportSize, reports++)
            {
                var touched = new HashSet<(long Shard, long Block)>();
                for (var i = start; i < Math.Min(population.Count, start + OursSystem.ReportSize); i++) touched.Add((population.Ids[i] % shards, blocks[i]));
                calls += touched.Count;
            }

            Console.WriteLine(FormattableString.Invariant($"{shards,2} directory shards: {calls / (double)reports:N0} cell calls a report"));
        }
    }
}
