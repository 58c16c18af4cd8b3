using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Exchanges a client's name and secret for a signed access token: configured clients first, then active stored
/// credentials; every check waits its turn in the silo's <see cref="SignInLimit"/>.
/// </summary>
[StatelessWorker]
public sealed class SignInGrain(IOptions<SecurityOptions> options, CredentialStore store, TokenIssuer tokens, SignInLimit limit) : Grain, ISignInGrain
{
    private const string Refusal = "unknown client name or wrong secret";

    // Hashed for an unknown name so that it takes as long as a wrong secret and the time doesn't reveal which names exist.
    private static readonly Lazy<string> DecoyHash = new(() => CredentialHash.Create(Guid.NewGuid().ToString("N")));

    private readonly Dictionary<string, ClientCredential> _clients =
        options.Value.Clients.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<AccessToken> SignIn(string name, string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        // Every path below hashes (an unknown name against a decoy), so every path takes a turn.
        using var turn = await limit.EnterAsync();

        // Configured wins on a name clash: settings are what an operator of a cluster controls directly.
        if (_clients.TryGetValue(name, out var client))
        {
            if (!CredentialHash.Verify(secret, client.SecretHash)) throw new AccessDeniedException(Refusal);
            return tokens.Issue(client.Name, client.Roles);
        }

        // Read at every sign-in, so a revocation on any silo takes effect at once everywhere.
        var stored = await store.FindAsync(name);
        if (stored is not { IsActive: true })
        {
            CredentialHash.Verify(secret, DecoyHash.Value);
            throw new AccessDeniedException(Refusal);
        }

        if (!CredentialHash.Verify(secret, stored.SecretHash)) throw new AccessDeniedException(Refusal);
        return tokens.Issue(stored.Name, stored.Roles);
    }
}
