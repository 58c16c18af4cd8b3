namespace Alerts.GrainInterfaces;

/// <summary>What one user's shares of a case brought: their shares and the opens through their links.</summary>
[GenerateSerializer, Immutable, Alias("alerts.SharerReach")]
public sealed record SharerReach([property: Id(0)] long UserId, [property: Id(1)] long Shares, [property: Id(2)] long OpensThroughTheirLinks);
