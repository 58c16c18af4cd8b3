using System.Data.Common;
using System.Globalization;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>Embedded SQLite: one file (default ./data/alerts.db), WAL journal, created on first use.</summary>
public sealed class SqliteEngine : StoreEngine
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _connectionString;

    static SqliteEngine() => SQLitePCL.Batteries_V2.Init();

    /// <summary>An engine on the file the connection string names; its folder is created if missing.</summary>
    public SqliteEngine(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        // A new folder is its owner's only: it holds every resident's position and, embedded, the silo's keys.
        if (!string.IsNullOrEmpty(directory) && builder.DataSource != ":memory:" && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // A new file is its owner's only too, also in a folder others may read (SQLite gives its -wal and -shm files the
        // database file's mode); left to the process's umask it was readable by every local user.
        if (builder.DataSource != ":memory:" && !OperatingSystem.IsWindows() && !File.Exists(builder.DataSource)) CreateOwnerOnly(builder.DataSource);

        _connectionString = builder.ToString();
        Location = Path.GetFullPath(builder.DataSource);
    }

    // An empty file is an empty database to SQLite. One made meanwhile by another engine on the same file wins.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CreateOwnerOnly(string path)
    {
        try
        {
            using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }
        catch (IOException) when (File.Exists(path))
        {
        }
    }

    // A file an earlier build made (before 2026-12-02 the umask chose its mode) or a copy restored without its mode lets
    // other local users read every resident's position. SQLite gives a new -wal or -shm file the database's mode, but an
    // existing one keeps its own: all three are made owner-only.
    public override void KeepOwnerOnly(ILogger logger)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var path in new[] { Location, Location + "-wal", Location + "-shm" }) KeepOwnerOnly(path, logger);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void KeepOwnerOnly(string path, ILogger logger)
    {
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // No such file (an in-memory database, a log SQLite removed at its last close): nothing to keep.
            return;
        }

        if ((mode & GroupAndOthers) == 0) return;
        try
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Another user's file, or a read-only file system: the silo still starts, and says what would fix it.
            logger.LogError("{Path} holds every resident's position, but its group or others may use it (mode {Mode}) and this silo cannot make it owner-only ({Reason}): run `{Command}` as the file's owner",
                path, Octal(mode), e.Message, $"chmod 600 {path}");
            return;
        }

        logger.LogWarning("{Path} could be used by its group or others (mode {Mode}); made owner-only (0600): it holds every resident's position", path, Octal(mode));
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');

    public override string Name => "sqlite";

    public override string Location { get; }

    // Only "INTEGER PRIMARY KEY" makes the key the row id itself: one B-tree instead of a table plus a key index.
    public override string UserKeyType => "INTEGER";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            // The resident writer, the outbox and Orleans' own state share one file: the busy timeout comes first,
            // so even the switch to WAL waits for another writer instead of failing with SQLITE_BUSY. FULL syncs the
            // log at each commit: with NORMAL a commit survives a killed process but may roll back after a power loss
            // or an OS crash, and an answer promises the write is durable. Writes are grouped, so the syncs are few.
            pragma.CommandText = "PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The pool is the process's, one per connection string, so the engines of one file (a silo's grain state, reminders
    // and product tables) share it: its idle connections are closed, and those in use as they are returned. Left open, a
    // disposed silo kept its database file (and the -wal and -shm files) open for as long as the process ran.
    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    // Dapper expands "IN @list" into one parameter per value.
    public override string AnyOf(string column, string parameter) => $"{column} IN @{parameter}";

    public override string SequenceKey => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override string NowMilliseconds => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    public override string AppendOnly(string table) => $"""
        CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
        """;

    // SQLite cannot change a column's type: the rows go into a new table of the product's columns, which then takes the
    // old one's name (so a converted database has the same table as a new one), and the cell index is made again.
    public override async Task<bool> ConvertTextCellsAsync(DbConnection connection, DbTransaction transaction)
    {
        var type = await ColumnTypeAsync(connection, transaction, "residents", "cell");
        if (!string.Equals(type, "TEXT", StringComparison.OrdinalIgnoreCase)) return false;
        await connection.ExecuteAsync($"""
            DROP INDEX IF EXISTS residents_cell;
            CREATE TABLE residents_keyed ({string.Format(CultureInfo.InvariantCulture, ProductSchema.ResidentColumns, UserKeyType)});
            INSERT INTO residents_keyed (user_id, cell, lat, lon, fix_ms) SELECT user_id, {TextCellKey.Of("cell", "instr")}, lat, lon, fix_ms FROM residents;
            DROP TABLE residents;
            ALTER TABLE residents_keyed RENAME TO residents;
            CREATE INDEX residents_cell ON residents (cell);
            """, transaction: transaction, commandTimeout: 0);
        return true;
    }

    public override Task<string?> ColumnTypeAsync(DbConnection connection, DbTransaction transaction, string table, string column) =>
        connection.ExecuteScalarAsync<string?>("SELECT type FROM pragma_table_info(@table) WHERE name = @column", new { table, column }, transaction);

    public override string IdRows(string parameter) => $"(SELECT value AS id FROM json_each(@{parameter})) AS ids";

    public override object IdList(IReadOnlyCollection<long> ids) => System.Text.Json.JsonSerializer.Serialize(ids);

    // SQLite runs in-process, so a round trip is cheap: one prepared command, parameters rebound per row.
    public override async Task<IReadOnlyCollection<long>> WriteResidentsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(Geohash Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(Geohash Cell, long UserId)> removals)
    {
        if (upserts.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO residents (user_id, cell, lat, lon, fix_ms) VALUES (@user, @cell, @lat, @lon, @fix) " + UpsertResident;
            var user = Parameter(command, "user", 0L);
            var cell = Parameter(command, "cell", 0L);
            var lat = Parameter(command, "lat", 0.0);
            var lon = Parameter(command, "lon", 0.0);
            var fix = Parameter(command, "fix", 0L);
            await command.PrepareAsync();
            foreach (var (rowCell, row) in upserts)
            {
                user.Value = row.UserId;
                cell.Value = rowCell.OrderKey;
                lat.Value = row.Latitude;
                lon.Value = row.Longitude;
                fix.Value = row.FixUnixMs;
                await command.ExecuteNonQueryAsync();
            }
        }

        // One writer at a time here: no row is ever held by another transaction, so none is left.
        await ResidentStore.RemoveAsync(connection, transaction, removals);
        return [];
    }

    // Engagement rows: the same prepared command rebound per row; the count of changed rows says whether the row went in.
    public override async Task<bool[]> InsertNewRowsAsync(DbConnection connection, DbTransaction transaction, string table, int keyColumns, IReadOnlyList<(string Column, Array Values)> columns)
    {
        var rows = columns.Count == 0 ? 0 : columns[0].Values.Length;
        var inserted = new bool[rows];
        if (rows == 0) return inserted;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Column))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@c{i}"))}) ON CONFLICT DO NOTHING";
        var parameters = columns.Select((_, i) => Parameter(command, $"c{i}", DBNull.Value)).ToArray();
        for (var row = 0; row < rows; row++)
        {
            for (var i = 0; i < parameters.Length; i++) parameters[i].Value = columns[i].Values.GetValue(row) ?? DBNull.Value;
            if (row == 0) await command.PrepareAsync();
            inserted[row] = await command.ExecuteNonQueryAsync() == 1;
        }

        return inserted;
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
