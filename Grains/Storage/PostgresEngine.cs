using System.Data.Common;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Dapper;
using Npgsql;
using NpgsqlTypes;

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
        var builder = new NpgsqlConnectionStringBuilder(PostgresPool.Bounded(connectionString, maxPoolSize, connectionWait));
        Location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder.ToString());
    }

    public override string Name => "postgres";

    // A server takes several writers at once; four leave the pool room for loads, recordings and the outbox.
    public override int ParallelWrites => 4;

    public override string Location { get; }

    public override string UserKeyType => "BIGINT";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    // Npgsql takes the array itself, which PostgreSQL matches with ANY.
    public override string AnyOf(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override string SequenceKey => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public override string NowMilliseconds => "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    // TRUNCATE too: it bypasses row triggers.
    public override string AppendOnly(string table) => $"""
        CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$;
        DROP TRIGGER IF EXISTS {table}_no_change ON {table};
        CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
        DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
        """;

    // A position that moves within its block then changes no indexed column, so PostgreSQL can write the new version
    // beside the old one on the same page (a heap-only update) and touch no index, if the page has room. Altered only
    // when not yet set: the ALTER takes a lock that waits for (or cancels) a vacuum of the table.
    public override string? RoomForUpdates(string table) => $"""
        DO $$ BEGIN
            IF NOT coalesce((SELECT reloptions FROM pg_class WHERE oid = '{table}'::regclass) @> ARRAY['fillfactor=85'], false) THEN
                ALTER TABLE {table} SET (fillfactor = 85);
            END IF;
        END $$;
        """;

    // The table is rewritten once, its cell index rebuilt, its other settings (fillfactor) kept.
    public override async Task<bool> ConvertTextCellsAsync(DbConnection connection, DbTransaction transaction)
    {
        var type = await ColumnTypeAsync(connection, transaction, "residents", "cell");
        if (type != "text") return false;
        // No command timeout: the rewrite takes about 3 s a million rows here, past Npgsql's default 30 s at 10 M.
        await connection.ExecuteAsync($"ALTER TABLE residents ALTER COLUMN cell TYPE BIGINT USING {TextCellKey.Of("cell", "strpos")}", transaction: transaction, commandTimeout: 0);
        return true;
    }

    public override Task<string?> ColumnTypeAsync(DbConnection connection, DbTransaction transaction, string table, string column) =>
        connection.ExecuteScalarAsync<string?>(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table AND column_name = @column",
            new { table, column }, transaction);

    public override string IdRows(string parameter) => $"unnest(@{parameter}) AS ids(id)";

    public override object IdList(IReadOnlyCollection<long> ids) => ids.ToArray();

    // An array condition on a key's column is one descent of the index per id; a join with unnest may be planned as a scan of the case's whole range.
    public override string AmongIds(string column, string parameter) => AnyOf(column, parameter);

    // One statement per kind of change, the rows as arrays: a round trip per row is what costs here. A write of users'
    // first fixes only goes in by binary COPY, which spares PostgreSQL the conflict check of an upsert and inserts a
    // page of rows at a time (a sixth less of its work a new row than an INSERT of the same rows: bench
    // first-positions); if one has a row after all (a directory reloaded while a write was in flight), the COPY is
    // undone to its savepoint (which releases every row it took) and the rows take the upsert. A write that mixes
    // first fixes with moves takes the upsert for all: so each transaction takes its rows in one pass in user order, and
    // two writers doing so never wait for each other in a cycle (first fixes copied ahead of the moves were a second
    // pass: a writer holding a new user's row could wait for a moved user's row held by a writer waiting for the new one).
    public override async Task<IReadOnlyCollection<long>> WriteResidentsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(Geohash Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(Geohash Cell, long UserId)> removals)
    {
        var copied = false;
        if (upserts.Count > 0 && upserts.All(u => u.Fix.FirstFix))
        {
            await transaction.SaveAsync(FirstFixesSavepoint);
            try
            {
                await CopyFirstFixesAsync((NpgsqlConnection)connection, upserts);
                copied = true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await transaction.RollbackAsync(FirstFixesSavepoint);
            }
        }

        if (!copied && upserts.Count > 0)
            await WriteRowsAsync(connection, transaction, "INSERT INTO residents (user_id, cell, lat, lon, fix_ms) SELECT * FROM unnest(@users, @cells, @lats, @lons, @fixes) " + UpsertResident, ResidentColumns.Of(upserts));

        if (removals.Count == 0) return [];
        return (await connection.QueryAsync<long>(RemoveUnlockedResidents,
            new { users = removals.Select(r => r.UserId).ToArray(), cells = removals.Select(r => r.Cell.OrderKey).ToArray() },
            transaction)).AsList();
    }

    // Removals never wait for a row lock: the rows this transaction upserted stay locked meanwhile, and another silo's
    // writer moving users the other way (upserting the rows removed here, then removing the ones upserted here) would
    // wait for them in turn, a deadlock PostgreSQL breaks only after a second by failing one of the two. A row another
    // transaction holds is skipped and named in the result (still naming the cell in this statement's snapshot, not
    // deleted): the store removes those once this transaction has committed and holds nothing. The rows are found once
    // by the index and then taken by their physical address; a row changed since the snapshot has a new address, so it
    // is not taken here but named, and the store's delete checks its cell again.
    private const string RemoveUnlockedResidents = """
        WITH named AS MATERIALIZED (
            SELECT r.ctid AS row, r.user_id FROM residents r JOIN unnest(@users, @cells) AS gone(user_id, cell) ON r.user_id = gone.user_id AND r.cell = gone.cell),
        unlocked AS (SELECT r.ctid AS row FROM residents r WHERE r.ctid = ANY(ARRAY(SELECT row FROM named)) FOR UPDATE SKIP LOCKED),
        deleted AS (DELETE FROM residents r WHERE r.ctid = ANY(ARRAY(SELECT row FROM unlocked)) RETURNING r.user_id)
        SELECT user_id FROM named EXCEPT SELECT user_id FROM deleted
        """;

    // The purge never waits for a row either: it takes rows in the table's order, not users', so waiting for a writer
    // that holds one (a stale user's new fix) while holding rows that writer comes to next was a deadlock. A held row is
    // being rewritten, so it is not stale.
    public override string DeleteStaleResidents =>
        "DELETE FROM residents WHERE ctid = ANY(ARRAY(SELECT ctid FROM residents WHERE fix_ms < @cutoff FOR UPDATE SKIP LOCKED))";

    private const string FirstFixesSavepoint = "first_fixes";

    // The first fixes straight from the writer's list into the COPY stream, in the list's (user) order.
    private static async Task CopyFirstFixesAsync(NpgsqlConnection connection, IReadOnlyList<(Geohash Cell, ResidentFix Fix)> firstFixes)
    {
        await using var import = await connection.BeginBinaryImportAsync("COPY residents (user_id, cell, lat, lon, fix_ms) FROM STDIN (FORMAT BINARY)");
        foreach (var (cell, fix) in firstFixes)
        {
            await import.StartRowAsync();
            await import.WriteAsync(fix.UserId, NpgsqlDbType.Bigint);
            await import.WriteAsync(cell.OrderKey, NpgsqlDbType.Bigint);
            await import.WriteAsync(fix.Latitude, NpgsqlDbType.Double);
            await import.WriteAsync(fix.Longitude, NpgsqlDbType.Double);
            await import.WriteAsync(fix.FixUnixMs, NpgsqlDbType.Bigint);
        }

        await import.CompleteAsync();
    }

    // The statement's parameters. Their values are dropped after it runs: an idle pooled connection keeps its last
    // command's parameters until its next command (4.5 MB of the last flush's arrays and cell texts at 1 M residents, when cells were texts, in
    // the heap census).
    private static async Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, string sql, ResidentColumns rows)
    {
        await using var command = (NpgsqlCommand)connection.CreateCommand();
        command.Transaction = (NpgsqlTransaction)transaction;
        command.CommandText = sql;
        command.Parameters.Add(new NpgsqlParameter<long[]>("users", rows.Users));
        command.Parameters.Add(new NpgsqlParameter<long[]>("cells", rows.Cells));
        command.Parameters.Add(new NpgsqlParameter<double[]>("lats", rows.Latitudes));
        command.Parameters.Add(new NpgsqlParameter<double[]>("lons", rows.Longitudes));
        command.Parameters.Add(new NpgsqlParameter<long[]>("fixes", rows.Fixes));
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            foreach (NpgsqlParameter parameter in command.Parameters) parameter.Value = null;
        }
    }

    // Rows as the upsert's column arrays, of their exact sizes, built straight from the writer's list: a flush's rows
    // were copied three times on the way here (a list with cell texts, then lists of first and other fixes).
    private readonly record struct ResidentColumns(long[] Users, long[] Cells, double[] Latitudes, double[] Longitudes, long[] Fixes)
    {
        public static ResidentColumns Of(IReadOnlyList<(Geohash Cell, ResidentFix Fix)> upserts)
        {
            var count = upserts.Count;
            var columns = new ResidentColumns(new long[count], new long[count], new double[count], new double[count], new long[count]);
            var row = 0;
            foreach (var (cell, fix) in upserts)
            {
                columns.Users[row] = fix.UserId;
                columns.Cells[row] = cell.OrderKey;
                columns.Latitudes[row] = fix.Latitude;
                columns.Longitudes[row] = fix.Longitude;
                columns.Fixes[row] = fix.FixUnixMs;
                row++;
            }

            return columns;
        }
    }

    // Engagement rows: one statement for the batch, the rows as arrays; the input's ordinals of the rows that went in come back.
    public override async Task<bool[]> InsertNewRowsAsync(DbConnection connection, DbTransaction transaction, string table, int keyColumns, IReadOnlyList<(string Column, Array Values)> columns)
    {
        var rows = columns.Count == 0 ? 0 : columns[0].Values.Length;
        var inserted = new bool[rows];
        if (rows == 0) return inserted;
        var names = string.Join(", ", columns.Select(c => c.Column));
        var keys = string.Join(", ", columns.Take(keyColumns).Select(c => c.Column));
        var arrays = string.Join(", ", columns.Select((_, i) => $"@c{i}"));
        await using var command = (NpgsqlCommand)connection.CreateCommand();
        command.Transaction = (NpgsqlTransaction)transaction;
        command.CommandText =
            $"WITH input AS (SELECT * FROM unnest({arrays}) WITH ORDINALITY AS u({names}, input_row)), " +
            $"added AS (INSERT INTO {table} ({names}) SELECT {names} FROM input ON CONFLICT DO NOTHING RETURNING {keys}) " +
            $"SELECT input.input_row FROM input JOIN added USING ({keys})";
        for (var i = 0; i < columns.Count; i++) command.Parameters.AddWithValue($"c{i}", columns[i].Values);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) inserted[reader.GetInt64(0) - 1] = true;
        return inserted;
    }

    // An advisory lock held until the transaction ends; the key is arbitrary but fixed ("alerts" in ASCII). Waited for
    // without a command timeout: another silo may hold it through a long conversion of the tables.
    public override Task LockSchemaAsync(DbConnection connection, DbTransaction transaction) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(97108101114116115)", transaction: transaction, commandTimeout: 0);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public override void Dispose() => _dataSource.Dispose();
}
