using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Exchanges a client's name and secret for a signed access token: configured clients first, then active stored
/// credentials; every secret check waits its turn in the silo's <see cref="SignInLimit"/>.
/// </summary>
// Reentrant, so every sign-in reaches the limit and a flood is refused there as busy; one call at a time per worker
// would queue the flood in Orleans without bound, out of the limit's sight (the grain's only field is read-only).
[StatelessWorker, Reentrant]
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

        // Configured wins on a name clash: settings are what an operator of a cluster controls directly.
        if (_clients.TryGetValue(name, out var client))
        {
            using (await limit.EnterAsync())
                if (!CredentialHash.Verify(secret, client.SecretHash)) throw new AccessDeniedException(Refusal);
            return tokens.Issue(client.Name, client.Roles, TokenIssuer.Fingerprint(client.SecretHash, client.Roles));
        }

        // A place first: beyond the bound a sign-in is refused as busy before it costs the database a read (a flood of
        // made-up names would otherwise take the connections a dispatch needs).
        using var place = limit.Admit();
        // Read at every sign-in, so a revocation on any silo takes effect at once everywhere; read before taking a
        // turn, so a slow database does not hold the checks of every other sign-in.
        var stored = CredentialStore.IsValidName(name) ? await store.FindAsync(name) : null;
        // Every path below hashes (an unknown name against a decoy), so every path takes a turn.
        await place.TurnAsync();
        if (stored is not { IsActive: true })
        {
            CredentialHash.Verify(secret, DecoyHash.Value);
            throw new AccessDeniedException(Refusal);
        }

        if (!CredentialHash.Verify(secret, stored.SecretHash)) throw new AccessDeniedException(Refusal);
        return tokens.Issue(stored.Name, stored.Roles, TokenIssuer.Fingerprint(stored.SecretHash, stored.Roles));
    }
}
