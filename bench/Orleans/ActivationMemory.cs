using Orleans;
using Orleans.Runtime;

namespace Alerts.Bench.Orleans;

/// <summary>
/// Measures the managed memory an idle Orleans activation keeps: heap after activating N bench grains in an
/// in-process silo, minus heap before, over N. The grain references are made before the first reading and
/// kept alive past the second, so only what the silo holds for each activation (the activation, its
/// message queue and scheduler state, its catalog and directory entries, the grain) is counted.
/// </summary>
public static class ActivationMemory
{
    public static async Task RunAsync(int count)
    {
        using var database = BenchDatabase.Sqlite();
        await using var silo = await BenchSilo.StartAsync(database, BenchSettings.NewClusterId());
        // One-time costs (type metadata, invokers, the catalog's tables) are paid here, before the first reading.
        await Task.WhenAll(Enumerable.Range(1, 1_000).Select(i => silo.Grains.GetGrain<IBenchGrain>(-i).Add(1)));
        var grains = Enumerable.Range(0, count).Select(i => silo.Grains.GetGrain<IBenchGrain>(i)).ToArray();
        var before = Settle();
        for (var start = 0; start < count; start += 10_000)
            await Task.WhenAll(grains.AsSpan(start, Math.Min(10_000, count - start)).ToArray().Select(g => g.Add(1)));
        var after = Settle();
        GC.KeepAlive(grains);
        var statistics = await silo.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var benchActivations = statistics.Where(s => s.GrainType.Contains(nameof(BenchGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);
        var total = statistics.Sum(s => s.ActivationCount);
        Console.WriteLine($"{count:N0} idle activations: {(after - before) / (double)count:N0} bytes each (heap {before / 1e6:N1} MB -> {after / 1e6:N1} MB; "
                          + $"bench grain activations in the silo {benchActivations:N0} incl. 1,000 warm-up, all activations {total:N0})");
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
