namespace Alerts.Grains;

/// <summary>One client allowed to sign in: its name, the PBKDF2 hash of its secret and the roles its tokens carry.</summary>
public sealed class ClientCredential
{
    /// <summary>The name the client signs in with; becomes the token's subject.</summary>
    public string Name { get; set; } = "";

    /// <summary>"pbkdf2-sha256$iterations$salt$hash" from <see cref="CredentialHash.Create"/>, never the secret itself.</summary>
    public string SecretHash { get; set; } = "";

    /// <summary>The roles (<see cref="Alerts.GrainInterfaces.Roles"/>) granted to this client.</summary>
    public string[] Roles { get; set; } = [];
}
