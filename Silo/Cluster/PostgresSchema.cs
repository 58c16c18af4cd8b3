using System.Net.Sockets;
using Npgsql;

namespace Alerts.Silo;

/// <summary>Installs and checks the PostgreSQL schema that Orleans' ADO.NET clustering, persistence and reminder providers run on.</summary>
public static class PostgresSchema
{
    /// <summary>The schema version this build needs; must equal the version the embedded script records in alerts_schema.</summary>
    public const int Version = 1;

    // The script ships inside the assembly so `migrate` applies exactly what this build was tested with.
    internal const string ScriptResourceName = "Alerts.Silo.Cluster.orleans-postgres.sql";

    private const string Component = "orleans";
    private const string MigrateHint = "run `dotnet run --project Silo -- migrate` (or the silo binary with `migrate`) against this database";

    // Any fixed number works as long as nothing else in the database uses it; the value spells "ALRTORLN".
    private const long MigrationLockKey = 0x414C52544F524C4E;

    // The keys the three providers refuse to start without (clustering, persistence, reminders).
    // Checked up front so a damaged schema fails with one clear message instead of a provider error.
    private static readonly string[] RequiredQueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    /// <summary>Creates or upgrades the schema; safe to run repeatedly and from several silos at once.</summary>
    public static async Task ApplyAsync(string connectionString, CancellationToken ct = default)
    {
        var script = await ReadScriptAsync(ct);
        await using var connection = await OpenAsync(connectionString, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        // Two silos migrating at once would otherwise race on CREATE OR REPLACE FUNCTION ("tuple concurrently
        // updated") and on the first CREATE TABLE. The lock is released with the transaction, also on failure.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        // An older build must not rewrite the queries of a newer schema with its own, older ones.
        var found = await ReadVersionAsync(connection, transaction, ct);
        if (found > Version)
            throw new InvalidOperationException(
                $"PostgreSQL database {Describe(connectionString)} has Orleans schema version {found}, newer than version {Version} " +
                "that this build installs; refusing to downgrade it. Migrate with the newer build instead.");

        await using (var command = new NpgsqlCommand(script, connection, transaction))
        {
            // Creating tables and functions is quick, but a busy database can hold locks for a while.
            command.CommandTimeout = 300;
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with a fix-it message unless the database is reachable and has the schema this build needs.</summary>
    public static async Task CheckAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(connectionString, ct);

        var found = await ReadVersionAsync(connection, null, ct);
        if (found is null)
            throw new InvalidOperationException(
                $"PostgreSQL database {Describe(connectionString)} has no Orleans schema: {MigrateHint}.");
        if (found < Version)
            throw new InvalidOperationException(
                $"PostgreSQL database {Describe(connectionString)} has Orleans schema version {found}, but this build needs version {Version}: {MigrateHint}.");
        // A newer version is accepted: in a rolling upgrade the first new silo migrates while older silos may
        // still (re)start, and schema changes are kept backward compatible for that reason.

        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                present.Add(reader.GetString(0));
        }

        var missing = RequiredQueryKeys.Where(key => !present.Contains(key)).ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException(
                $"PostgreSQL database {Describe(connectionString)} records Orleans schema version {found} but OrleansQuery lacks " +
                $"{string.Join(", ", missing)}: {MigrateHint} to restore them.");
    }

    /// <summary>The script text, as embedded in this assembly.</summary>
    internal static async Task<string> ReadScriptAsync(CancellationToken ct)
    {
        await using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream(ScriptResourceName)
            ?? throw new InvalidOperationException(
                $"Embedded resource {ScriptResourceName} is missing from {typeof(PostgresSchema).Assembly.GetName().Name}: " +
                "the project needs <EmbeddedResource Include=\"Cluster/orleans-postgres.sql\" LogicalName=\"" + ScriptResourceName + "\" />.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct);
    }

    // Null when the database has never been migrated (no bookkeeping table, or no row for this component).
    private static async Task<int?> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        // Probe first: selecting from a missing table would fail, and inside ApplyAsync abort the transaction.
        await using var probe = new NpgsqlCommand("SELECT to_regclass('alerts_schema') IS NOT NULL", connection, transaction);
        if (await probe.ExecuteScalarAsync(ct) is not true)
            return null;

        await using var command = new NpgsqlCommand("SELECT version FROM alerts_schema WHERE component = @component", connection, transaction);
        command.Parameters.AddWithValue("component", Component);
        return await command.ExecuteScalarAsync(ct) is int version ? version : null;
    }

    // Connection failures become one message naming where we tried to connect, never the password.
    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            var reason = ex is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : ex.Message;
            throw new InvalidOperationException(
                $"Cannot connect to PostgreSQL at {Describe(connectionString)} ({reason}). Check that the server is running and " +
                "reachable from this machine and that the connection string's host, port, database and credentials are right.", ex);
        }
    }

    // host:port/database (user), taken from the connection string; the password is never part of it.
    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var user = string.IsNullOrEmpty(builder.Username) ? "" : $" as user '{builder.Username}'";
            return $"'{builder.Host}:{builder.Port}/{builder.Database}'{user}";
        }
        catch (ArgumentException)
        {
            return "(unparseable connection string)";
        }
    }
}
