using System.Text.RegularExpressions;
using Dapper;

namespace Alerts.Grains;

/// <summary>The client_credentials table: credentials created at run time, kept as hashes, revoked by marking (the row stays for the record).</summary>
public sealed partial class CredentialStore(StoreEngine engine)
{
    /// <summary>The longest name a stored credential may have.</summary>
    public const int LongestName = 64;
    private const string Columns = "name AS Name, secret_hash AS SecretHash, roles AS Roles, created_ms AS CreatedMs, revoked_ms AS RevokedMs";

    // Role names are letters only, so a comma list is unambiguous and readable in the table.
    private const char RoleSeparator = ',';

    /// <summary>
    /// Adds the credential unless an active one has the name; a revoked row of that name is replaced. False when the name is
    /// taken. One statement, so two operators creating the same name at once cannot both succeed.
    /// </summary>
    public async Task<bool> TryCreateAsync(string name, string secretHash, IReadOnlyList<string> roles, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        var written = await connection.ExecuteAsync(
            """
            INSERT INTO client_credentials (name, secret_hash, roles, created_ms, revoked_ms) VALUES (@name, @secretHash, @roles, @nowMs, NULL)
            ON CONFLICT (name) DO UPDATE SET secret_hash = excluded.secret_hash, roles = excluded.roles, created_ms = excluded.created_ms, revoked_ms = NULL
            WHERE client_credentials.revoked_ms IS NOT NULL
            """,
            new { name, secretHash, roles = string.Join(RoleSeparator, roles), nowMs = now.ToUnixTimeMilliseconds() });
        return written == 1;
    }

    /// <summary>Adds or overwrites the credential, active, whatever the row held (the embedded silo's own operator credential).</summary>
    public async Task ReplaceAsync(string name, string secretHash, IReadOnlyList<string> roles, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO client_credentials (name, secret_hash, roles, created_ms, revoked_ms) VALUES (@name, @secretHash, @roles, @nowMs, NULL)
            ON CONFLICT (name) DO UPDATE SET secret_hash = excluded.secret_hash, roles = excluded.roles, created_ms = excluded.created_ms, revoked_ms = NULL
            """,
            new { name, secretHash, roles = string.Join(RoleSeparator, roles), nowMs = now.ToUnixTimeMilliseconds() });
    }

    /// <summary>Marks the credential revoked unless it already is; the row as it is afterwards, or null when there is none.</summary>
    public async Task<StoredCredential?> RevokeAsync(string name, DateTimeOffset now)
    {
        await using var connection = await engine.OpenAsync();
        // Only an active row changes, so revoking twice keeps the first revocation time.
        await connection.ExecuteAsync("UPDATE client_credentials SET revoked_ms = @nowMs WHERE name = @name AND revoked_ms IS NULL", new { name, nowMs = now.ToUnixTimeMilliseconds() });
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM client_credentials WHERE name = @name", new { name });
        return row?.ToCredential();
    }

    /// <summary>The credential of that name, revoked or not, or null.</summary>
    public async Task<StoredCredential?> FindAsync(string name)
    {
        await using var connection = await engine.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM client_credentials WHERE name = @name", new { name });
        return row?.ToCredential();
    }

    /// <summary>Every stored credential, revoked ones too, by name.</summary>
    public async Task<List<StoredCredential>> ListAsync()
    {
        await using var connection = await engine.OpenAsync();
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM client_credentials");
        // Sorted here: the engines' collations differ.
        return rows.Select(r => r.ToCredential()).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// True for a name a stored credential may have: 1-64 of [A-Za-z0-9._-], which a console, a shell and a "name:secret"
    /// credential carry without quoting. No other name is looked up (PostgreSQL refuses a NUL in text, for one).
    /// </summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= LongestName } && NameCharacters().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9._-]+\z")]
    private static partial Regex NameCharacters();

    /// <summary>One row as Dapper reads it (settable properties), so the public record stays immutable.</summary>
    private sealed class Row
    {
        public string Name { get; set; } = "";

        public string SecretHash { get; set; } = "";

        public string Roles { get; set; } = "";

        public long CreatedMs { get; set; }

        public long? RevokedMs { get; set; }

        public StoredCredential ToCredential() => new(
            Name,
            SecretHash,
            Roles.Split(RoleSeparator, StringSplitOptions.RemoveEmptyEntries),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedMs),
            RevokedMs is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null);
    }
}
