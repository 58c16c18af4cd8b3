using Alerts.Grains;
using Dapper;

namespace Alerts.Silo;

/// <summary>
/// Orleans reminders in the embedded silo's SQLite file, so a case's expiry fires after a restart.
/// Each row keeps the grain's uniform hash, because the reminder service asks for ranges of the hash ring.
/// </summary>
public sealed class SqliteReminderTable(SqliteEngine connections) : IReminderTable
{
    private const string Table = """
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            grain_id TEXT NOT NULL, reminder_name TEXT NOT NULL, grain_hash INTEGER NOT NULL,
            start_at_ms INTEGER NOT NULL, period_ms INTEGER NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (grain_id, reminder_name));
        CREATE INDEX IF NOT EXISTS orleans_reminders_hash ON orleans_reminders (grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_at_ms, period_ms, version";

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync();
        await connection.ExecuteAsync(Table);
    }

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var connection = await connections.OpenAsync();
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM orleans_reminders WHERE grain_id = @grain", new { grain = grainId.ToString() });
        return new ReminderTableData(rows.Select(r => r.ToEntry()));
    }

    // The ring is read as (begin, end]; when begin >= end the range wraps past the top of the ring.
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        await using var connection = await connections.OpenAsync();
        var condition = begin < end ? "grain_hash > @begin AND grain_hash <= @end" : "grain_hash > @begin OR grain_hash <= @end";
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM orleans_reminders WHERE {condition}", new { begin = (long)begin, end = (long)end });
        return new ReminderTableData(rows.Select(r => r.ToEntry()));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var connection = await connections.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM orleans_reminders WHERE grain_id = @grain AND reminder_name = @reminderName", new { grain = grainId.ToString(), reminderName });
        return row?.ToEntry();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        await using var connection = await connections.OpenAsync();
        var version = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO orleans_reminders (grain_id, reminder_name, grain_hash, start_at_ms, period_ms, version)
            VALUES (@grain, @name, @hash, @start, @period, 1)
            ON CONFLICT (grain_id, reminder_name) DO UPDATE SET start_at_ms = excluded.start_at_ms, period_ms = excluded.period_ms, version = orleans_reminders.version + 1
            RETURNING version
            """,
            new
            {
                grain = entry.GrainId.ToString(),
                name = entry.ReminderName,
                hash = (long)entry.GrainId.GetUniformHashCode(),
                start = new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
                period = (long)entry.Period.TotalMilliseconds,
            });
        return Tag(version);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)) return false;
        await using var connection = await connections.OpenAsync();
        return await connection.ExecuteAsync(
            "DELETE FROM orleans_reminders WHERE grain_id = @grain AND reminder_name = @reminderName AND version = @version",
            new { grain = grainId.ToString(), reminderName, version }) == 1;
    }

    public async Task TestOnlyClearTable()
    {
        await using var connection = await connections.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM orleans_reminders");
    }

    private static string Tag(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A stored row as Dapper reads it.</summary>
    private sealed record Row(string grain_id, string reminder_name, long start_at_ms, long period_ms, long version)
    {
        public ReminderEntry ToEntry() => new()
        {
            GrainId = GrainId.Parse(grain_id),
            ReminderName = reminder_name,
            StartAt = DateTimeOffset.FromUnixTimeMilliseconds(start_at_ms).UtcDateTime,
            Period = TimeSpan.FromMilliseconds(period_ms),
            ETag = Tag(version),
        };
    }
}
