using System.Text.Json.Nodes;

namespace Alerts.Bench.Tests.Compare;

/// <summary>The bench's in-process silo runs with the product silo's runtime settings (collector, compiler tiers, thread pool), so its figures are the silo's.</summary>
public sealed class BenchRuntimeTests
{
    [Fact]
    public void The_bench_process_has_the_silos_collector_compiler_and_thread_pool_settings()
    {
        var silo = Properties("Alerts.Silo.runtimeconfig.json");
        var bench = Properties("Alerts.Bench.runtimeconfig.json");
        var runtime = silo.Where(p => p.Key.StartsWith("System.GC.", StringComparison.Ordinal)
            || p.Key.StartsWith("System.Runtime.Tiered", StringComparison.Ordinal)
            || p.Key.StartsWith("System.Threading.", StringComparison.Ordinal)).ToList();

        // Server collection, no heap adaptation, no profiling tier, no spinning: Silo/SiloRuntime.props.
        Assert.Equal(4, runtime.Count);
        foreach (var (name, value) in runtime)
        {
            Assert.True(bench.TryGetValue(name, out var actual), $"{name} is missing from the bench's runtimeconfig.json");
            Assert.Equal(value, actual);
        }
    }

    private static Dictionary<string, string> Properties(string runtimeConfigFile)
    {
        var path = Path.Combine(AppContext.BaseDirectory, runtimeConfigFile);
        var properties = JsonNode.Parse(File.ReadAllText(path))?["runtimeOptions"]?["configProperties"]?.AsObject()
            ?? throw new InvalidDataException($"{path} has no runtimeOptions.configProperties");
        return properties.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null");
    }
}
