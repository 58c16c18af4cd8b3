namespace Alerts.Grains;

/// <summary>The outcome of checking an access token: the client's name, roles, when it was issued and for which credential, or why the token was refused.</summary>
public sealed record TokenCheck(string? Name, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt, string? Failure, DateTimeOffset IssuedAt = default, string? Credential = null)
{
    /// <summary>True when the token was accepted.</summary>
    public bool IsValid => Failure is null;

    /// <summary>A refused token and the reason, worded for the client ("token expired").</summary>
    public static TokenCheck Refused(string reason) => new(null, [], DateTimeOffset.MinValue, reason);
}
