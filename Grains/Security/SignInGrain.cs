using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>Exchanges a configured client's name and secret for a signed access token.</summary>
[StatelessWorker]
public sealed class SignInGrain(IOptions<SecurityOptions> options, TokenIssuer tokens) : Grain, ISignInGrain
{
    private const string Refusal = "unknown client name or wrong secret";

    // Hashed for an unknown name so that it takes as long as a wrong secret and the time doesn't reveal which names exist.
    private static readonly Lazy<string> DecoyHash = new(() => CredentialHash.Create(Guid.NewGuid().ToString("N")));

    private readonly Dictionary<string, ClientCredential> _clients =
        options.Value.Clients.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<AccessToken> SignIn(string name, string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(secret);

        if (!_clients.TryGetValue(name, out var client))
        {
            CredentialHash.Verify(secret, DecoyHash.Value);
            throw new AccessDeniedException(Refusal);
        }

        if (!CredentialHash.Verify(secret, client.SecretHash)) throw new AccessDeniedException(Refusal);
        return Task.FromResult(tokens.Issue(client.Name, client.Roles));
    }
}
