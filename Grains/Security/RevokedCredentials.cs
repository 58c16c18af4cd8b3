using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The stored credentials whose tokens this silo no longer honours: revoked ones, and tokens issued before a credential
/// of the same name was created again. The silo that revokes knows at once; the others read the table every
/// <see cref="SecurityOptions.RevocationRefresh"/>. Configured clients are not stored, so never refused here.
/// </summary>
public sealed class RevokedCredentials(
    CredentialStore store,
    IOptions<SecurityOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<RevokedCredentials> logger) : BackgroundService
{
    private readonly HashSet<string> _configured = options.Value.Clients.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
    private readonly object _gate = new();
    // Replaced whole on each change, so a caller checking a token never sees it half-updated.
    private volatile Dictionary<string, Standing> _stored = new(StringComparer.Ordinal);

    /// <summary>Why a token of <paramref name="name"/> issued at <paramref name="issuedAt"/> is refused, or null when it is not.</summary>
    public string? Refusal(string name, DateTimeOffset issuedAt)
    {
        if (_configured.Contains(name) || !_stored.TryGetValue(name, out var standing)) return null;
        if (standing.RevokedAt is { } revokedAt) return $"credential {name} was revoked at {revokedAt:O}";
        // Token times are whole seconds: a token issued in the second the credential was made is its own.
        return issuedAt.ToUnixTimeSeconds() < standing.CreatedAt.ToUnixTimeSeconds()
            ? $"credential {name} was made again after this token was issued"
            : null;
    }

    /// <summary>Takes a credential's new standing at once (this silo created or revoked it).</summary>
    public void Changed(string name, DateTimeOffset createdAt, DateTimeOffset? revokedAt)
    {
        lock (_gate)
            _stored = Merged(_stored, [new(name, new Standing(createdAt, revokedAt))]);
    }

    /// <summary>Reads every stored credential's standing from the table.</summary>
    public async Task RefreshAsync()
    {
        var rows = await store.ListAsync();
        lock (_gate)
            _stored = Merged(_stored, rows.Select(c => new KeyValuePair<string, Standing>(c.Name, new Standing(c.CreatedAt, c.RevokedAt))));
    }

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

    private readonly record struct Standing(DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
    {
        public DateTimeOffset LatestEvent => RevokedAt is { } revoked && revoked > CreatedAt ? revoked : CreatedAt;
    }
}
