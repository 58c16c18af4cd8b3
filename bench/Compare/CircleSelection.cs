using Orleans;

namespace Alerts.Bench.Compare;

/// <summary>What the selection grain found for a circle, how many cell grains covered it, and how long they took (timed inside the silo).</summary>
[GenerateSerializer, Immutable, Alias("bench.CircleSelection")]
public sealed record CircleSelection(
    [property: Id(0)] long[] UserIds,
    [property: Id(1)] TimeSpan Elapsed,
    [property: Id(2)] int Grains);
