namespace Alerts.GrainInterfaces;

/// <summary>Counts from one directory shard.</summary>
[GenerateSerializer, Immutable, Alias("alerts.ShardResult")]
public sealed record ShardResult([property: Id(0)] int Applied, [property: Id(1)] int Ignored);
