namespace Alerts.GrainInterfaces;

/// <summary>The client credentials stored in the database, managed from the admin console (a stateless worker: call key 0).</summary>
[Alias("alerts.client-credentials")]
[RequiresRole(Roles.Operator)]
public interface IClientCredentialsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A new credential with a fresh random secret, returned this once (only its hash is stored). A bad name or
    /// role is an <see cref="ArgumentException"/>; a name in use (stored and not revoked, or configured) a <see cref="WrongStateException"/>.
    /// </summary>
    [Alias("Create")]
    Task<IssuedCredential> Create(string name, List<string> roles);

    /// <summary>
    /// Stops the stored credential from signing in; its tokens already issued are refused too (on other silos after their next read). Revoking a revoked
    /// one returns it unchanged; an unknown name is a <see cref="KeyNotFoundException"/>, a configured one a <see cref="WrongStateException"/>.
    /// </summary>
    [Alias("Revoke")]
    Task<CredentialInfo> Revoke(string name);

    /// <summary>Every stored credential (revoked ones too) and every configured one, without secrets or hashes.</summary>
    [ReadOnly, Alias("List")]
    Task<List<CredentialInfo>> List();
}
