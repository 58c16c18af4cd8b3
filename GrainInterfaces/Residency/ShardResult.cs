namespace Alerts.GrainInterfaces;

/// <summary>Counts from one directory shard, and the writers holding the positions it applied (one ticket per writer).</summary>
[GenerateSerializer, Immutable, Alias("alerts.ShardResult")]
public sealed record ShardResult([property: Id(0)] int Applied, [property: Id(1)] int Ignored, [property: Id(2)] List<WriteTicket> Writes);
