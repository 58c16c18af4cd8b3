using Alerts.Grains;
using Dapper;

namespace Alerts.Silo;

/// <summary>Orleans' reminder table in the embedded silo's SQLite file, so reminders survive a silo restart.</summary>
/// <remarks>
/// Each row keeps its grain's uniform hash because the reminder service reads ranges of the hash ring. Times are stored as
/// ticks so a reminder comes back exactly as it was written, and every upsert stores a fresh random ETag so that an ETag from
/// a removed and re-created reminder cannot remove the new one.
/// </remarks>
public sealed class SqliteReminderTable(SqliteEngine database) : IReminderTable
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            grain_id TEXT NOT NULL,
            reminder_name TEXT NOT NULL,
            grain_hash INTEGER NOT NULL,
            start_at_ticks INTEGER NOT NULL,
            period_ticks INTEGER NOT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY (grain_id, reminder_name));
        CREATE INDEX IF NOT EXISTS orleans_reminders_by_hash ON orleans_reminders (grain_hash);
        """;

    private const string Columns = "grain_id AS GrainId, reminder_name AS ReminderName, start_at_ticks AS StartAtTicks, period_ticks AS PeriodTicks, etag AS ETag";

    /// <summary>Creates the table if it is missing; the reminder service calls this before it reads any row.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CreateTable, cancellationToken: cancellationToken));
    }

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<StoredReminder>($"SELECT {Columns} FROM orleans_reminders WHERE grain_id = @grain", new { grain = grainId.ToString() });
        return new ReminderTableData(rows.Select(r => r.ToEntry()));
    }

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // The contract's range is (begin, end]; when begin >= end it wraps past the top of the ring (begin == end is the whole ring).
        var condition = begin < end ? "grain_hash > @begin AND grain_hash <= @end" : "grain_hash > @begin OR grain_hash <= @end";
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<StoredReminder>($"SELECT {Columns} FROM orleans_reminders WHERE {condition}", new { begin = (long)begin, end = (long)end });
        return new ReminderTableData(rows.Select(r => r.ToEntry()));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var connection = await database.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<StoredReminder>(
            $"SELECT {Columns} FROM orleans_reminders WHERE grain_id = @grain AND reminder_name = @reminderName", new { grain = grainId.ToString(), reminderName });
        return row?.ToEntry();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var eTag = Guid.NewGuid().ToString("N");
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO orleans_reminders (grain_id, reminder_name, grain_hash, start_at_ticks, period_ticks, etag)
            VALUES (@grain, @name, @hash, @start, @period, @eTag)
            ON CONFLICT (grain_id, reminder_name) DO UPDATE SET
                grain_hash = excluded.grain_hash, start_at_ticks = excluded.start_at_ticks, period_ticks = excluded.period_ticks, etag = excluded.etag
            """,
            new
            {
                grain = entry.GrainId.ToString(),
                name = entry.ReminderName,
                hash = (long)entry.GrainId.GetUniformHashCode(),
                // The reminder service works in UTC; an unspecified kind is taken as UTC, as Orleans' ADO.NET table does.
                start = (entry.StartAt.Kind == DateTimeKind.Local ? entry.StartAt.ToUniversalTime() : entry.StartAt).Ticks,
                period = entry.Period.Ticks,
                eTag,
            });
        entry.ETag = eTag;
        return eTag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        await using var connection = await database.OpenAsync();
        var removed = await connection.ExecuteAsync(
            "DELETE FROM orleans_reminders WHERE grain_id = @grain AND reminder_name = @reminderName AND etag = @eTag",
            new { grain = grainId.ToString(), reminderName, eTag });
        return removed == 1;
    }

    public async Task TestOnlyClearTable()
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM orleans_reminders");
    }

    /// <summary>A stored row as Dapper reads it.</summary>
    private sealed record StoredReminder(string GrainId, string ReminderName, long StartAtTicks, long PeriodTicks, string ETag)
    {
        public ReminderEntry ToEntry() => new()
        {
            GrainId = Orleans.Runtime.GrainId.Parse(GrainId),
            ReminderName = ReminderName,
            StartAt = new DateTime(StartAtTicks, DateTimeKind.Utc),
            Period = TimeSpan.FromTicks(PeriodTicks),
            ETag = ETag,
        };
    }
}
