using Alerts.Runtime;

namespace Alerts.Bench.Runtime;

/// <summary>Measures the managed memory an idle activation keeps: heap after activating N grains, minus heap before, over N.</summary>
public static class ActivationMemory
{
    public static async Task RunAsync(int count)
    {
        await using var silo = await BenchSilo.StartAsync();
        var before = Settle();
        for (var start = 0; start < count; start += 10_000)
            await Task.WhenAll(Enumerable.Range(start, Math.Min(10_000, count - start)).Select(i => silo.Runtime.GetGrain<IBenchGrain>(i).Add(1)));
        var after = Settle();
        Console.WriteLine($"{silo.Runtime.ActivationCount:N0} idle activations: {(after - before) / (double)count:N0} bytes each (heap {before / 1e6:N1} MB -> {after / 1e6:N1} MB)");
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
