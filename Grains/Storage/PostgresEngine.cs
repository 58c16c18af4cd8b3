using System.Data.Common;
using Alerts.GrainInterfaces;
using Dapper;
using Npgsql;

namespace Alerts.Grains;

/// <summary>PostgreSQL through Npgsql, the cluster's engine.</summary>
public sealed class PostgresEngine : StoreEngine
{
    /// <summary>Connections the product's tables may hold per silo when the connection string names no "Maximum Pool Size".</summary>
    public const int DefaultMaxPoolSize = 10;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// An engine with a bounded pool: thousands of cells activating at once queue for a connection
    /// (up to the connection string's Timeout) instead of exhausting the server's max_connections.
    /// </summary>
    public PostgresEngine(string connectionString, int maxPoolSize, TimeSpan connectionWait)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase)) builder.MaxPoolSize = maxPoolSize;
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) builder.Timeout = (int)connectionWait.TotalSeconds;
        Location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder.ToString());
    }

    public override string Name => "postgres";

    public override string Location { get; }

    public override string UserKeyType => "BIGINT";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    // Npgsql takes the array itself, which PostgreSQL matches with ANY.
    public override string AnyOf(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override string IdsFromJson(string parameter) => $"SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(@{parameter} AS json))";

    public override string SequenceKey => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    // TRUNCATE too: it bypasses row triggers.
    public override string AppendOnly(string table) => $"""
        CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$;
        DROP TRIGGER IF EXISTS {table}_no_change ON {table};
        CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
        DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
        """;

    public override string InsertNewRecipients =>
        "INSERT INTO case_recipients (case_id, user_id, pushed_ms) SELECT @caseId, CAST(value AS BIGINT), @nowMs FROM json_array_elements_text(CAST(@ids AS json)) ON CONFLICT DO NOTHING RETURNING user_id";

    // One statement per kind of change, the rows as arrays: a round trip per row is what costs here.
    public override async Task WriteResidentsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(string Cell, long UserId)> removals)
    {
        if (upserts.Count > 0)
        {
            await connection.ExecuteAsync(
                "INSERT INTO residents (user_id, cell, lat, lon, fix_ms) SELECT * FROM unnest(@users, @cells, @lats, @lons, @fixes) " + UpsertResident,
                new
                {
                    users = upserts.Select(u => u.Fix.UserId).ToArray(),
                    cells = upserts.Select(u => u.Cell).ToArray(),
                    lats = upserts.Select(u => u.Fix.Latitude).ToArray(),
                    lons = upserts.Select(u => u.Fix.Longitude).ToArray(),
                    fixes = upserts.Select(u => u.Fix.FixUnixMs).ToArray(),
                },
                transaction);
        }

        if (removals.Count > 0)
        {
            await connection.ExecuteAsync(
                "DELETE FROM residents r USING unnest(@users, @cells) AS gone(user_id, cell) WHERE r.user_id = gone.user_id AND r.cell = gone.cell",
                new { users = removals.Select(r => r.UserId).ToArray(), cells = removals.Select(r => r.Cell).ToArray() },
                transaction);
        }
    }

    // An advisory lock held until the transaction ends; the key is arbitrary but fixed ("alerts" in ASCII).
    public override Task LockSchemaAsync(DbConnection connection, DbTransaction transaction) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(97108101114116115)", transaction: transaction);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
