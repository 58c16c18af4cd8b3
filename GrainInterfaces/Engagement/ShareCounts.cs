namespace Alerts.GrainInterfaces;

/// <summary>Shares of a case by channel (each user counts once per channel).</summary>
[GenerateSerializer, Immutable, Alias("alerts.ShareCounts")]
public sealed record ShareCounts([property: Id(0)] long Friend, [property: Id(1)] long Group, [property: Id(2)] long Qzone, [property: Id(3)] long Other);
