using Alerts.GrainInterfaces;
using Alerts.Grains;
using Microsoft.Extensions.Options;

namespace Alerts.Silo;

/// <summary>
/// The embedded silo's own operator credential, so a newcomer's admin console can sign in without anyone editing
/// settings: kept as "operator:secret" in operator.credential beside the database (owner-only), and re-made at start
/// whenever the file is missing or no longer matches an active stored credential. A cluster configures its operators instead.
/// </summary>
public sealed class OperatorCredentialFile(
    ClusterSettings settings,
    CredentialStore store,
    RevokedCredentials revoked,
    IOptions<SecurityOptions> security,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<OperatorCredentialFile> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The file's name, beside the SQLite database and signing.key.</summary>
    public const string FileName = "operator.credential";

    /// <summary>The name of the credential the silo makes.</summary>
    public const string OperatorName = "operator";

    /// <summary>The roles it carries: managing credentials, and the admin work an operator starting out needs.</summary>
    public static readonly IReadOnlyList<string> OperatorRoles = [Roles.Operator, Roles.Admin];

    /// <summary>The file's path for these settings (the SQLite database's folder).</summary>
    public static string PathFor(ClusterSettings settings) => Path.Combine(settings.DataFolder(), FileName);

    public void Participate(ISiloLifecycle lifecycle) =>
        // One step after the product's start-up, which creates the client_credentials table in ApplicationServices.
        lifecycle.Subscribe(nameof(OperatorCredentialFile), ServiceLifecycleStage.ApplicationServices + 1, EnsureAsync);

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (security.Value.Clients.Any(c => c.Name == OperatorName))
        {
            // Sign-in prefers the configured client, so a stored one of that name could never be used.
            logger.LogInformation("Client {Name} is configured in settings; no {File} is made", OperatorName, FileName);
            return;
        }

        var path = PathFor(settings);
        if (await IsCurrentAsync(path))
        {
            logger.LogInformation("Operator credential in {Path}; the console reads it from there", path);
            return;
        }

        var secret = ClientSecret.New();
        var hash = CredentialHash.Create(secret);
        var now = time.GetUtcNow();
        await store.ReplaceAsync(OperatorName, hash, OperatorRoles, now);
        // The revocations were read before (with the product's start-up): a revoked operator made again must not be refused.
        revoked.Changed(new StoredCredential(OperatorName, hash, OperatorRoles, now, null));
        SecretFile.Write(path, $"{OperatorName}:{secret}", overwrite: true);
        logger.LogInformation("Operator credential in {Path}; the console reads it from there", path);
    }

    // Current: the file names an active stored credential and its secret matches (a database restored from elsewhere would
    // not), and nobody but its owner could have read it.
    private async Task<bool> IsCurrentAsync(string path)
    {
        if (!File.Exists(path)) return false;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != 0)
        {
            // Its secret (an operator's and an admin's) may have been read: a new one, not merely a chmod, in an owner-only file.
            logger.LogWarning("{Path} could be read by others; its credential is replaced by a new one, owner-only", path);
            return false;
        }

        var text = (await File.ReadAllTextAsync(path)).Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        var stored = await store.FindAsync(text[..colon]);
        return stored is { IsActive: true } && CredentialHash.Verify(text[(colon + 1)..], stored.SecretHash);
    }
}
