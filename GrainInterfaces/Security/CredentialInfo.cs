namespace Alerts.GrainInterfaces;

/// <summary>
/// What may be shown about a client credential: its name, roles, where it comes from ("stored" in the database or
/// "configured" in settings) and, for stored ones, when it was created and revoked. Never its secret or hash.
/// </summary>
[GenerateSerializer, Immutable, Alias("alerts.CredentialInfo")]
public sealed record CredentialInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] List<string> Roles,
    [property: Id(2)] string Source,
    [property: Id(3)] DateTimeOffset? CreatedAt,
    [property: Id(4)] DateTimeOffset? RevokedAt);
