namespace Alerts.Grains;

/// <summary>A row of the client_credentials table: a credential created at run time, active until <see cref="RevokedAt"/> is set.</summary>
public sealed record StoredCredential(string Name, string SecretHash, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>True while it may sign in.</summary>
    public bool IsActive => RevokedAt is null;
}
