using Dapper;

namespace Alerts.Runtime;

/// <summary>Grain state and reminders in SQLite or PostgreSQL through Dapper; the same SQL runs on both.</summary>
public sealed class SqlGrainStorage(SqlDialect dialect) : IGrainStorage, IReminderTable, IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            state_name TEXT NOT NULL,
            payload TEXT NOT NULL,
            version BIGINT NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name));
        CREATE TABLE IF NOT EXISTS reminders (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            name TEXT NOT NULL,
            first_tick_ms BIGINT NOT NULL,
            period_ms BIGINT NOT NULL,
            next_due_ms BIGINT NOT NULL,
            PRIMARY KEY (grain_type, grain_key, name));
        """;

    /// <summary>The engine in use.</summary>
    public SqlDialect Dialect { get; } = dialect;

    public ValueTask DisposeAsync() => Dialect.DisposeAsync();

    /// <summary>Creates the tables when missing.</summary>
    public async Task EnsureSchemaAsync()
    {
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        await connection.ExecuteAsync(Schema).ConfigureAwait(false);
    }

    public async Task<StoredState?> ReadAsync(string grainType, string grainKey, string stateName)
    {
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(string Payload, long Version)?>(
            "SELECT payload, version FROM grain_state WHERE grain_type = @grainType AND grain_key = @grainKey AND state_name = @stateName",
            new { grainType, grainKey, stateName }).ConfigureAwait(false);
        return row is { } r ? new StoredState(r.Payload, r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    public async Task<string> WriteAsync(string grainType, string grainKey, string stateName, string json, string? etag)
    {
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        if (etag is null)
        {
            var inserted = await connection.ExecuteAsync(
                "INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version) VALUES (@grainType, @grainKey, @stateName, @json, 1) ON CONFLICT DO NOTHING",
                new { grainType, grainKey, stateName, json }).ConfigureAwait(false);
            if (inserted == 0) throw Stale(grainType, grainKey, stateName, "(none)");
            return "1";
        }

        var version = ParseEtag(etag, grainType, grainKey, stateName);
        var updated = await connection.ExecuteAsync(
            "UPDATE grain_state SET payload = @json, version = version + 1 WHERE grain_type = @grainType AND grain_key = @grainKey AND state_name = @stateName AND version = @version",
            new { grainType, grainKey, stateName, json, version }).ConfigureAwait(false);
        if (updated == 0) throw Stale(grainType, grainKey, stateName, etag);
        return (version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ClearAsync(string grainType, string grainKey, string stateName, string? etag)
    {
        if (etag is null) return;
        var version = ParseEtag(etag, grainType, grainKey, stateName);
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(
            "DELETE FROM grain_state WHERE grain_type = @grainType AND grain_key = @grainKey AND state_name = @stateName AND version = @version",
            new { grainType, grainKey, stateName, version }).ConfigureAwait(false);
        if (deleted == 0) throw Stale(grainType, grainKey, stateName, etag);
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadAllAsync()
    {
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string GrainType, string GrainKey, string Name, long FirstTick, long Period, long NextDue)>(
            "SELECT grain_type, grain_key, name, first_tick_ms, period_ms, next_due_ms FROM reminders").ConfigureAwait(false);
        return rows.Select(r => new ReminderEntry(r.GrainType, r.GrainKey, r.Name, FromMs(r.FirstTick), TimeSpan.FromMilliseconds(r.Period), FromMs(r.NextDue))).ToList();
    }

    public async Task UpsertAsync(ReminderEntry entry)
    {
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO reminders (grain_type, grain_key, name, first_tick_ms, period_ms, next_due_ms)
            VALUES (@GrainType, @GrainKey, @Name, @FirstTick, @Period, @NextDue)
            ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET first_tick_ms = excluded.first_tick_ms, period_ms = excluded.period_ms, next_due_ms = excluded.next_due_ms
            """,
            new
            {
                entry.GrainType, entry.GrainKey, entry.Name,
                FirstTick = ToMs(entry.FirstTickUtc), Period = (long)entry.Period.TotalMilliseconds, NextDue = ToMs(entry.NextDueUtc),
            }).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string grainType, string grainKey, string name)
    {
        await using var connection = await Dialect.OpenAsync().ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM reminders WHERE grain_type = @grainType AND grain_key = @grainKey AND name = @name",
            new { grainType, grainKey, name }).ConfigureAwait(false);
    }

    private static long ToMs(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    private static DateTime FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    private static long ParseEtag(string etag, string grainType, string grainKey, string stateName) =>
        long.TryParse(etag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Stale(grainType, grainKey, stateName, etag);

    private static InconsistentStateException Stale(string grainType, string grainKey, string stateName, string etag) =>
        new($"State \"{stateName}\" of {grainType}/{grainKey} was changed by another writer: the write carried version {etag}, which is no longer current.");
}
