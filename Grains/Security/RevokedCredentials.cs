using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The tokens this silo no longer honours although their signature and time are good: those of a revoked stored
/// credential, of one made again since (another secret or other roles), of a configured client whose settings changed
/// (removed, other roles, another secret) since, and of a name that is neither configured nor stored. The silo that
/// creates or revokes knows at once; the others read the table every <see cref="SecurityOptions.RevocationRefresh"/>,
/// and read a credential's row at once when a token seems newer than what they know of it.
/// </summary>
public sealed class RevokedCredentials(
    CredentialStore store,
    IOptions<SecurityOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<RevokedCredentials> logger) : BackgroundService
{
    // Configured clients' current fingerprints: settings change only with a restart, when this is made again.
    private readonly Dictionary<string, string> _configured = options.Value.Clients
        .ToDictionary(c => c.Name, c => TokenIssuer.Fingerprint(c.SecretHash, c.Roles), StringComparer.Ordinal);
    private readonly object _gate = new();
    // Replaced whole on each change, so a caller checking a token never sees it half-updated.
    private volatile Dictionary<string, Standing> _stored = new(StringComparer.Ordinal);

    /// <summary>
    /// Why a token of <paramref name="name"/> issued at <paramref name="issuedAt"/> for the credential
    /// <paramref name="credential"/> (its <see cref="TokenIssuer.Fingerprint"/>) is refused, or null when it is not;
    /// reads the credential's row first when the token may be newer than what this silo knows.
    /// </summary>
    public async ValueTask<string?> RefusalAsync(string name, DateTimeOffset issuedAt, string? credential)
    {
        var refusal = Refusal(name, issuedAt, credential);
        if (refusal is null || _configured.ContainsKey(name)) return refusal;
        // Made (again) on another silo since this one last read the table: only a token issued after what this silo
        // knows can be such a credential's; an older one is refused without a read.
        if (_stored.TryGetValue(name, out var known) && issuedAt.ToUnixTimeSeconds() < known.LatestEvent.ToUnixTimeSeconds()) return refusal;
        StoredCredential? row;
        try
        {
            row = await store.FindAsync(name);
        }
        catch (Exception e)
        {
            // Neither let the token through unchecked nor answer "access denied" for what is a storage failure.
            logger.LogWarning(e, "Reading credential {Name} to check a token failed", name);
            throw new StorageUnavailableException($"storage failed: credential {name} cannot be checked now ({e.Message}); retry in a moment");
        }

        if (row is not null) Changed(row);
        return Refusal(name, issuedAt, credential);
    }

    /// <summary>Why such a token is refused by what this silo knows now, or null when it is not.</summary>
    public string? Refusal(string name, DateTimeOffset issuedAt, string? credential)
    {
        if (_configured.TryGetValue(name, out var configured))
        {
            // A token without a fingerprint was issued before silos named one (within TokenLifetime of the upgrade): without
            // this, every client would be refused until its next renewal, up to 80 % of a token's life after the upgrade.
            return credential is null || string.Equals(credential, configured, StringComparison.Ordinal)
                ? null
                : $"credential {name} changed in the settings ({SecurityOptions.SectionName}:Clients) after this token was issued";
        }

        if (!_stored.TryGetValue(name, out var standing)) return $"credential {name} no longer exists";
        if (standing.RevokedAt is { } revokedAt) return $"credential {name} was revoked at {revokedAt:O}";
        // Token times are whole seconds: a token issued in the second the credential was made is its own, if it names it.
        return issuedAt.ToUnixTimeSeconds() < standing.CreatedAt.ToUnixTimeSeconds() || (credential is not null && !string.Equals(credential, standing.Fingerprint, StringComparison.Ordinal))
            ? $"credential {name} was made again after this token was issued"
            : null;
    }

    /// <summary>Takes a credential's new standing at once (this silo created or revoked it).</summary>
    public void Changed(StoredCredential credential)
    {
        lock (_gate)
            _stored = Merged(_stored, [Entry(credential)]);
    }

    /// <summary>Reads every stored credential's standing from the table.</summary>
    public async Task RefreshAsync()
    {
        var rows = await store.ListAsync();
        lock (_gate)
            _stored = Merged(_stored, rows.Select(Entry));
    }

    private static KeyValuePair<string, Standing> Entry(StoredCredential c) =>
        new(c.Name, new Standing(c.CreatedAt, c.RevokedAt, TokenIssuer.Fingerprint(c.SecretHash, c.Roles)));

    // Per name, the standing with the later event wins: a read of the table that began before a change on this silo
    // (two workers revoking at once, or a refresh racing a revocation) cannot undo it.
    private static Dictionary<string, Standing> Merged(Dictionary<string, Standing> current, IEnumerable<KeyValuePair<string, Standing>> incoming)
    {
        var next = new Dictionary<string, Standing>(current, StringComparer.Ordinal);
        foreach (var (name, standing) in incoming)
            if (!next.TryGetValue(name, out var known) || standing.LatestEvent >= known.LatestEvent) next[name] = standing;
        return next;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationRefresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await TryRefreshAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TryRefreshAsync()
    {
        try
        {
            await RefreshAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Reading revoked credentials failed; the last list stands until the next try");
        }
    }

    private readonly record struct Standing(DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string Fingerprint)
    {
        public DateTimeOffset LatestEvent => RevokedAt is { } revoked && revoked > CreatedAt ? revoked : CreatedAt;
    }
}
