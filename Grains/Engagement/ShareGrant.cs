namespace Alerts.Grains;

/// <summary>What a share token says: the case, who shared, how deep in the sharing, and when it was issued.</summary>
public sealed record ShareGrant(string CaseId, long SharerUserId, int Generation, DateTimeOffset IssuedAt);
