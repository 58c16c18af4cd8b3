namespace Alerts.GrainInterfaces;

/// <summary>Sharing at one depth: shares of generation n, and opens that came through links of generation n.</summary>
[GenerateSerializer, Immutable, Alias("alerts.GenerationEngagement")]
public sealed record GenerationEngagement([property: Id(0)] int Generation, [property: Id(1)] long Shares, [property: Id(2)] long Opens);
