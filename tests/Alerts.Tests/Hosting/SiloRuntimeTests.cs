using System.Text.Json.Nodes;

namespace Alerts.Tests;

/// <summary>The silo's built runtime configuration carries the settings <c>Silo/SiloRuntime.props</c> chose for a machine shared with its database.</summary>
public sealed class SiloRuntimeTests
{
    // The settings and their values as the build writes them into a runtimeconfig.json.
    private static readonly IReadOnlyDictionary<string, string> Chosen = new Dictionary<string, string>
    {
        ["System.GC.Server"] = "true",
        ["System.GC.DynamicAdaptationMode"] = "0",
        ["System.Runtime.TieredPGO"] = "false",
        ["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"] = "0",
    };

    [Fact]
    public void The_silo_runs_with_server_collection_no_heap_adaptation_no_profiling_tier_and_no_thread_pool_spinning()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Alerts.Silo.runtimeconfig.json");
        var silo = JsonNode.Parse(File.ReadAllText(path))?["runtimeOptions"]?["configProperties"]?.AsObject()
            ?? throw new InvalidDataException($"{path} has no runtimeOptions.configProperties");

        foreach (var (name, value) in Chosen)
        {
            Assert.True(silo.TryGetPropertyValue(name, out var actual), $"{name} is missing from the silo's runtimeconfig.json");
            Assert.Equal(value, actual?.ToJsonString());
        }
    }
}
