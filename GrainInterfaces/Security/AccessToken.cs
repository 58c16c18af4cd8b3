namespace Alerts.GrainInterfaces;

/// <summary>A signed token (JWT) a client attaches to each call, its expiry and the roles it carries.</summary>
[GenerateSerializer, Immutable, Alias("alerts.AccessToken")]
public sealed record AccessToken([property: Id(0)] string Token, [property: Id(1)] DateTimeOffset ExpiresAt, [property: Id(2)] IReadOnlyList<string> Roles);
