using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>Creates, revokes and lists stored client credentials; the table is the state, so any silo's worker may answer.</summary>
[StatelessWorker]
public sealed class ClientCredentialsGrain(
    CredentialStore store,
    RevokedCredentials revoked,
    IOptions<SecurityOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<ClientCredentialsGrain> logger) : Grain, IClientCredentialsGrain
{
    /// <summary>The <see cref="CredentialInfo.Source"/> of a credential in the client_credentials table.</summary>
    public const string Stored = "stored";

    /// <summary>The <see cref="CredentialInfo.Source"/> of a credential in the Alerts:Security:Clients settings.</summary>
    public const string Configured = "configured";

    private readonly Dictionary<string, ClientCredential> _configured = options.Value.Clients.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IssuedCredential> Create(string name, List<string> roles)
    {
        CheckName(name);
        var granted = CheckRoles(roles);
        // Sign-in prefers a configured client, so a stored twin could never be used: refuse it rather than mislead.
        if (_configured.ContainsKey(name)) throw Exists(name);
        var secret = ClientSecret.New();
        var hash = CredentialHash.Create(secret);
        var now = time.GetUtcNow();
        if (!await store.TryCreateAsync(name, hash, granted, now)) throw Exists(name);
        // Tokens of an earlier credential of this name are refused from now on (on other silos after their next read).
        revoked.Changed(new StoredCredential(name, hash, granted, now, null));
        logger.LogInformation("Client credential {Name} created with roles {Roles}", name, string.Join(", ", granted));
        return new IssuedCredential(name, secret, granted);
    }

    /// <inheritdoc />
    public async Task<CredentialInfo> Revoke(string name)
    {
        // Named as the argument it is (a null would otherwise surface as the dictionary's "key"), and never a lookup for "".
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_configured.ContainsKey(name))
        {
            throw new WrongStateException($"credential {name} is configured in settings ({SecurityOptions.SectionName}:Clients), not stored: remove it there and restart the silos");
        }

        // A name no stored credential can have is not looked up.
        var credential = (CredentialStore.IsValidName(name) ? await store.RevokeAsync(name, time.GetUtcNow()) : null)
            ?? throw new KeyNotFoundException($"no credential named {name}");
        // Its tokens are refused here at once, on the other silos within RevocationRefresh.
        revoked.Changed(credential);
        logger.LogInformation("Client credential {Name} revoked at {RevokedAt}", name, credential.RevokedAt);
        return Info(credential);
    }

    /// <inheritdoc />
    public async Task<List<CredentialInfo>> List()
    {
        var stored = (await store.ListAsync()).Select(Info);
        var configured = _configured.Values.Select(c => new CredentialInfo(c.Name, c.Roles.ToList(), Configured, null, null));
        return configured.Concat(stored).OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Source, StringComparer.Ordinal).ToList();
    }

    private static CredentialInfo Info(StoredCredential credential) =>
        new(credential.Name, credential.Roles.ToList(), Stored, credential.CreatedAt, credential.RevokedAt);

    private static WrongStateException Exists(string name) => new($"credential {name} already exists");

    private static void CheckName(string? name)
    {
        if (!CredentialStore.IsValidName(name))
        {
            throw new ArgumentException($"name '{name}' is invalid: use 1-{CredentialStore.LongestName} letters, digits, '.', '_' or '-'");
        }

        if (Caller.IsReserved(name!)) throw new ArgumentException($"name '{name}' is reserved: the audit log names the system itself so");
    }

    private static List<string> CheckRoles(List<string>? roles)
    {
        var known = string.Join(", ", Roles.All);
        if (roles is not { Count: > 0 }) throw new ArgumentException($"roles is empty: give one or more of {known}");
        foreach (var role in roles)
        {
            if (!Roles.All.Contains(role)) throw new ArgumentException($"roles contains '{role}', which is not a role: give one or more of {known}");
        }

        return roles.Distinct(StringComparer.Ordinal).ToList();
    }
}
