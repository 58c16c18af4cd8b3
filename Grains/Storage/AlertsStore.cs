using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Runtime;
using Dapper;

namespace Alerts.Grains;

/// <summary>
/// The product's tables (residents, preferences, recipients, push outbox, cases) in the silo's database,
/// through Dapper. The SQL is shared by SQLite and PostgreSQL except where a statement says otherwise.
/// </summary>
public sealed class AlertsStore(SqlDialect dialect)
{
    // {0} is the user id key type: in SQLite only "INTEGER PRIMARY KEY" makes the key the row id itself
    // (one B-tree instead of a table plus a key index, and rows stored in user order).
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS residents (
            user_id {0} PRIMARY KEY, cell TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, fix_ms BIGINT NOT NULL);
        CREATE INDEX IF NOT EXISTS residents_cell ON residents (cell);
        CREATE INDEX IF NOT EXISTS residents_fix ON residents (fix_ms);
        CREATE TABLE IF NOT EXISTS user_prefs (user_id BIGINT PRIMARY KEY, opted_out INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS case_recipients (case_id TEXT NOT NULL, user_id BIGINT NOT NULL, pushed_ms BIGINT NOT NULL, PRIMARY KEY (case_id, user_id));
        CREATE INDEX IF NOT EXISTS case_recipients_user ON case_recipients (user_id);
        CREATE TABLE IF NOT EXISTS push_outbox (batch_id BIGINT PRIMARY KEY, case_id TEXT NOT NULL, user_ids TEXT NOT NULL, payload TEXT NOT NULL, created_ms BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS cases (case_id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_ms BIGINT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('batch_seq', 0) ON CONFLICT (key) DO NOTHING;
        """;

    /// <summary>Creates missing tables and pins the cell precision: a database keeps the precision it was created with.</summary>
    public async Task EnsureSchemaAsync(int cellPrecision)
    {
        await using var connection = await dialect.OpenAsync();
        await connection.ExecuteAsync(string.Format(Schema, dialect.Name == "postgres" ? "BIGINT" : "INTEGER"));
        await connection.ExecuteAsync("INSERT INTO meta (key, value) VALUES ('cell_precision', @cellPrecision) ON CONFLICT (key) DO NOTHING", new { cellPrecision });
        var stored = await connection.ExecuteScalarAsync<long>("SELECT value FROM meta WHERE key = 'cell_precision'");
        if (stored != cellPrecision)
            throw new InvalidOperationException($"Alerts:CellPrecision is {cellPrecision} but this database was created with precision {stored}; cells cannot change size under existing residents.");
    }

    /// <summary>Every cell that has resident rows.</summary>
    public async Task<List<string>> LoadResidentCellsAsync()
    {
        await using var connection = await dialect.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT DISTINCT cell FROM residents")).ToList();
    }

    /// <summary>Stored cell, fix time and opt-out of every user of one directory shard (user id mod shards).</summary>
    public async Task<List<DirectoryRow>> LoadShardAsync(int shard, int shards)
    {
        await using var connection = await dialect.OpenAsync();
        var prefs = (await connection.QueryAsync<(long UserId, long OptedOut)>(
            "SELECT user_id, opted_out FROM user_prefs WHERE user_id % @shards = @shard", new { shard, shards })).ToDictionary(p => p.UserId, p => p.OptedOut == 1);
        var rows = new List<DirectoryRow>();
        await using (var reader = await connection.ExecuteReaderAsync("SELECT user_id, cell, fix_ms FROM residents WHERE user_id % @shards = @shard", new { shard, shards }))
            while (await reader.ReadAsync()) rows.Add(DirectoryRowOf(reader, prefs));
        rows.AddRange(prefs.Select(p => new DirectoryRow(p.Key, 0, 0, p.Value)));
        return rows;
    }

    /// <summary>Every directory shard's rows in one pass over the tables; element i holds the users with id mod shards = i.</summary>
    public async Task<List<DirectoryRow>[]> LoadDirectoryAsync(int shards)
    {
        var parts = Enumerable.Range(0, shards).Select(_ => new List<DirectoryRow>()).ToArray();
        await using var connection = await dialect.OpenAsync();
        var prefs = (await connection.QueryAsync<(long UserId, long OptedOut)>("SELECT user_id, opted_out FROM user_prefs")).ToDictionary(p => p.UserId, p => p.OptedOut == 1);
        await using (var reader = await connection.ExecuteReaderAsync("SELECT user_id, cell, fix_ms FROM residents"))
        {
            while (await reader.ReadAsync())
            {
                var row = DirectoryRowOf(reader, prefs);
                parts[row.UserId % shards].Add(row);
            }
        }

        foreach (var (userId, optedOut) in prefs) parts[userId % shards].Add(new DirectoryRow(userId, 0, 0, optedOut));
        return parts;
    }

    // Reads (user_id, cell, fix_ms), taking the user's opt-out out of the map so only users without a position remain in it.
    private static DirectoryRow DirectoryRowOf(DbDataReader reader, Dictionary<long, bool> prefs)
    {
        var userId = reader.GetInt64(0);
        return new DirectoryRow(userId, Geohash.Parse(reader.GetString(1)).Packed, reader.GetInt64(2), prefs.Remove(userId, out var optedOut) && optedOut);
    }

    /// <summary>The residents of a cell, with their opt-out flags.</summary>
    public async Task<List<ResidentFix>> LoadCellAsync(string cell)
    {
        await using var connection = await dialect.OpenAsync();
        var rows = await connection.QueryAsync<(long UserId, double Lat, double Lon, long FixMs, long? OptedOut)>(
            "SELECT r.user_id, r.lat, r.lon, r.fix_ms, p.opted_out FROM residents r LEFT JOIN user_prefs p ON p.user_id = r.user_id WHERE r.cell = @cell", new { cell });
        return rows.Select(r => new ResidentFix(r.UserId, r.Lat, r.Lon, r.FixMs, r.OptedOut == 1)).ToList();
    }

    private const string UpsertResident = """
        ON CONFLICT (user_id) DO UPDATE SET cell = excluded.cell, lat = excluded.lat, lon = excluded.lon, fix_ms = excluded.fix_ms
        WHERE excluded.fix_ms >= residents.fix_ms
        """;

    /// <summary>Writes position changes: newer fixes win; a removal only deletes a row that still names the cell it left.</summary>
    /// <remarks>Each user appears at most once among the upserts (the writer keeps one change per user).</remarks>
    public async Task FlushResidentsAsync(IReadOnlyCollection<(string Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(string Cell, long UserId)> removals)
    {
        if (upserts.Count == 0 && removals.Count == 0) return;
        // In user order: neighbouring rows share B-tree pages.
        var ordered = upserts.OrderBy(u => u.Fix.UserId).ToList();
        await using var connection = await dialect.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (dialect.Name == "postgres") await FlushAsArraysAsync(connection, transaction, ordered, removals);
        else await FlushRowByRowAsync(connection, transaction, ordered, removals);
        await transaction.CommitAsync();
    }

    // PostgreSQL: one statement per kind of change, the rows as arrays; a round trip per row is what costs.
    private static async Task FlushAsArraysAsync(DbConnection connection, DbTransaction transaction, List<(string Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(string Cell, long UserId)> removals)
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

    // SQLite runs in-process, so a round trip is cheap: one prepared command, parameters rebound per row.
    private static async Task FlushRowByRowAsync(DbConnection connection, DbTransaction transaction, List<(string Cell, ResidentFix Fix)> upserts, IReadOnlyCollection<(string Cell, long UserId)> removals)
    {
        if (upserts.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO residents (user_id, cell, lat, lon, fix_ms) VALUES (@user, @cell, @lat, @lon, @fix) " + UpsertResident;
            var user = Parameter(command, "user", 0L);
            var cell = Parameter(command, "cell", "");
            var lat = Parameter(command, "lat", 0.0);
            var lon = Parameter(command, "lon", 0.0);
            var fix = Parameter(command, "fix", 0L);
            await command.PrepareAsync();
            foreach (var (rowCell, row) in upserts)
            {
                user.Value = row.UserId;
                cell.Value = rowCell;
                lat.Value = row.Latitude;
                lon.Value = row.Longitude;
                fix.Value = row.FixUnixMs;
                await command.ExecuteNonQueryAsync();
            }
        }

        if (removals.Count > 0)
            await connection.ExecuteAsync("DELETE FROM residents WHERE user_id = @UserId AND cell = @Cell", removals.Select(r => new { r.UserId, r.Cell }), transaction);
    }

    /// <summary>Records a user's opt-out choice.</summary>
    public async Task SetOptOutAsync(long userId, bool optedOut)
    {
        await using var connection = await dialect.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO user_prefs (user_id, opted_out) VALUES (@userId, @flag) ON CONFLICT (user_id) DO UPDATE SET opted_out = excluded.opted_out",
            new { userId, flag = optedOut ? 1 : 0 });
    }

    /// <summary>Deletes every row about a user outside the push outbox.</summary>
    public async Task EraseUserAsync(long userId)
    {
        await using var connection = await dialect.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var table in new[] { "residents", "user_prefs", "case_recipients" })
            await connection.ExecuteAsync($"DELETE FROM {table} WHERE user_id = @userId", new { userId }, transaction);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Records the candidates not yet pushed for the case and writes their push batches to the outbox,
    /// in one transaction: a user can enter a case's recipients once, so a repeated step pushes nobody twice.
    /// Batches keep the candidates' order (nearest first).
    /// </summary>
    public async Task<List<PushBatch>> RecordRecipientsAsync(string caseId, AlertPayload payload, IReadOnlyList<long> candidates, int batchSize, DateTimeOffset now)
    {
        if (candidates.Count == 0) return [];
        await using var connection = await dialect.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = JsonSerializer.Serialize(candidates);
        var nowMs = now.ToUnixTimeMilliseconds();
        // Set-based insert returning only the rows that were new; the JSON array function differs by engine.
        var sql = dialect.Name == "postgres"
            ? "INSERT INTO case_recipients (case_id, user_id, pushed_ms) SELECT @caseId, CAST(value AS BIGINT), @nowMs FROM json_array_elements_text(CAST(@ids AS json)) ON CONFLICT DO NOTHING RETURNING user_id"
            : "INSERT INTO case_recipients (case_id, user_id, pushed_ms) SELECT @caseId, value, @nowMs FROM json_each(@ids) WHERE true ON CONFLICT DO NOTHING RETURNING user_id";
        var inserted = (await connection.QueryAsync<long>(sql, new { caseId, nowMs, ids }, transaction)).ToHashSet();
        var fresh = candidates.Where(inserted.Remove).ToList();
        var batches = new List<PushBatch>();
        if (fresh.Count > 0)
        {
            var chunks = fresh.Chunk(batchSize).ToList();
            var last = await connection.ExecuteScalarAsync<long>("UPDATE meta SET value = value + @n WHERE key = 'batch_seq' RETURNING value", new { n = chunks.Count }, transaction);
            var first = last - chunks.Count + 1;
            var payloadJson = JsonSerializer.Serialize(payload, WireJson.Options);
            for (var i = 0; i < chunks.Count; i++) batches.Add(new PushBatch(first + i, caseId, chunks[i].ToList(), payload));
            await connection.ExecuteAsync("INSERT INTO push_outbox (batch_id, case_id, user_ids, payload, created_ms) VALUES (@BatchId, @CaseId, @UserIds, @Payload, @NowMs)",
                batches.Select(b => new { b.BatchId, b.CaseId, UserIds = string.Join(',', b.UserIds), Payload = payloadJson, NowMs = nowMs }), transaction);
        }

        await transaction.CommitAsync();
        return batches;
    }

    /// <summary>Every batch not yet acknowledged, in order.</summary>
    public async Task<List<PushBatch>> LoadOutboxAsync()
    {
        await using var connection = await dialect.OpenAsync();
        var rows = await connection.QueryAsync<(long BatchId, string CaseId, string UserIds, string Payload)>("SELECT batch_id, case_id, user_ids, payload FROM push_outbox ORDER BY batch_id");
        return rows.Select(r => new PushBatch(r.BatchId, r.CaseId, ParseIds(r.UserIds), JsonSerializer.Deserialize<AlertPayload>(r.Payload, WireJson.Options)!)).ToList();
    }

    /// <summary>Removes acknowledged batches.</summary>
    public async Task DeleteOutboxAsync(IReadOnlyCollection<long> batchIds)
    {
        if (batchIds.Count == 0) return;
        await using var connection = await dialect.OpenAsync();
        foreach (var chunk in batchIds.Chunk(900))
            await connection.ExecuteAsync($"DELETE FROM push_outbox WHERE {AnyOf("batch_id", "chunk")}", new { chunk });
    }

    /// <summary>Rewrites a batch's users (after an erasure); an emptied batch is deleted.</summary>
    public async Task RewriteOutboxBatchAsync(long batchId, IReadOnlyCollection<long> userIds)
    {
        await using var connection = await dialect.OpenAsync();
        if (userIds.Count == 0) await connection.ExecuteAsync("DELETE FROM push_outbox WHERE batch_id = @batchId", new { batchId });
        else await connection.ExecuteAsync("UPDATE push_outbox SET user_ids = @ids WHERE batch_id = @batchId", new { batchId, ids = string.Join(',', userIds) });
    }

    /// <summary>Users pushed for a case so far.</summary>
    public async Task<long> CountRecipientsAsync(string caseId)
    {
        await using var connection = await dialect.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM case_recipients WHERE case_id = @caseId", new { caseId });
    }

    /// <summary>Users pushed for a case (tests and audits).</summary>
    public async Task<List<long>> LoadRecipientsAsync(string caseId)
    {
        await using var connection = await dialect.OpenAsync();
        return (await connection.QueryAsync<long>("SELECT user_id FROM case_recipients WHERE case_id = @caseId", new { caseId })).ToList();
    }

    /// <summary>Indexes a case's status for listing and recovery.</summary>
    public async Task SetCaseStatusAsync(string caseId, CaseStatus status, DateTimeOffset now)
    {
        await using var connection = await dialect.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO cases (case_id, status, updated_ms) VALUES (@caseId, @status, @nowMs) ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, updated_ms = excluded.updated_ms",
            new { caseId, status = status.ToString(), nowMs = now.ToUnixTimeMilliseconds() });
    }

    /// <summary>Cases in any of the given states.</summary>
    public async Task<List<string>> CasesInAsync(params CaseStatus[] statuses)
    {
        await using var connection = await dialect.OpenAsync();
        var names = statuses.Select(s => s.ToString()).ToArray();
        return (await connection.QueryAsync<string>($"SELECT case_id FROM cases WHERE {AnyOf("status", "names")}", new { names })).ToList();
    }

    /// <summary>Deletes positions older than the cutoff; returns how many.</summary>
    public async Task<int> PurgeStaleAsync(DateTimeOffset cutoff)
    {
        await using var connection = await dialect.OpenAsync();
        return await connection.ExecuteAsync("DELETE FROM residents WHERE fix_ms < @cutoff", new { cutoff = cutoff.ToUnixTimeMilliseconds() });
    }

    /// <summary>Rows in a table that mention a user (erasure checks).</summary>
    public async Task<int> CountRowsAboutAsync(long userId)
    {
        await using var connection = await dialect.OpenAsync();
        var total = 0;
        foreach (var table in new[] { "residents", "user_prefs", "case_recipients" })
            total += await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table} WHERE user_id = @userId", new { userId });
        var like = await connection.QueryAsync<string>("SELECT user_ids FROM push_outbox");
        total += like.Count(ids => ParseIds(ids).Contains(userId));
        return total;
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    // Dapper expands "IN @list" on SQLite, but hands Npgsql the array itself, which PostgreSQL matches with ANY.
    private string AnyOf(string column, string parameter) =>
        dialect.Name == "postgres" ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    private static List<long> ParseIds(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();

    internal Task<DbConnection> OpenAsync() => dialect.OpenAsync();
}
