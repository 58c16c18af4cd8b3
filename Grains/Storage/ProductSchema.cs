using Dapper;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>The product's own tables (residents, directory shards' moves in flight, preferences, testers, recipients, notices, outbox, cases, audit log, client credentials, engagement, live silos), created idempotently on both engines.</summary>
public sealed class ProductSchema(StoreEngine engine, ILogger<ProductSchema>? logger = null)
{
    // {0} is the engine's user id key type, {1} its sequence key.
    // residents has no index on fix_ms (earlier databases had one: dropped here): every fix changed it, so no update of
    // a position could be done in place, and it cost about a fifth of PostgreSQL's work per position; the hourly purge
    // reads the table instead. Its cell is the cell's Geohash.OrderKey, so a block's cells are one range of the index
    // (and PostgreSQL spends a sixth less on a new row than with the text it replaced: bench first-positions); earlier
    // databases stored the geohash text and are converted at start.
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS residents (
        """ + ResidentColumns + """
        );
        CREATE INDEX IF NOT EXISTS residents_cell ON residents (cell);
        DROP INDEX IF EXISTS residents_fix;
        CREATE TABLE IF NOT EXISTS directory_moves (shard INTEGER NOT NULL, seq BIGINT NOT NULL, moves TEXT NOT NULL, PRIMARY KEY (shard, seq));
        CREATE TABLE IF NOT EXISTS user_prefs (user_id BIGINT PRIMARY KEY, opted_out INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS case_recipients (case_id TEXT NOT NULL, user_id BIGINT NOT NULL, pushed_ms BIGINT NOT NULL, PRIMARY KEY (case_id, user_id));
        -- The hours in which each case recorded users (CaseStore): the fatigue check and erasure find a user's rows by
        -- probing case_recipients' key once per case named here, so that table has no index by user (earlier databases
        -- had one: dropped here, its upkeep was about a third of recording a case's users).
        CREATE TABLE IF NOT EXISTS case_hours (hour_ms BIGINT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (hour_ms, case_id));
        DROP INDEX IF EXISTS case_recipients_user;
        CREATE TABLE IF NOT EXISTS push_outbox (batch_id BIGINT PRIMARY KEY, case_id TEXT NOT NULL, user_ids TEXT NOT NULL, payload TEXT NOT NULL, created_ms BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS cases (case_id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_ms BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS testers (user_id BIGINT PRIMARY KEY, enrolled_ms BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS drill_cases (case_id TEXT PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS case_notices (
            case_id TEXT NOT NULL, notice_no INTEGER NOT NULL, payload TEXT NOT NULL, covers_until_ms BIGINT NOT NULL,
            cursor BIGINT NOT NULL, sent BIGINT NOT NULL, done INTEGER NOT NULL, PRIMARY KEY (case_id, notice_no));
        CREATE TABLE IF NOT EXISTS audit_log (
            seq {1}, at_ms BIGINT NOT NULL, actor TEXT NOT NULL, roles TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
            state_before TEXT NULL, state_after TEXT NULL, detail TEXT NULL, entry_key TEXT NULL);
        CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log (subject, seq);
        CREATE TABLE IF NOT EXISTS client_credentials (name TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, roles TEXT NOT NULL, created_ms BIGINT NOT NULL, revoked_ms BIGINT NULL);
        -- Engagement (Grains/Engagement/EngagementStore): one row per user and case for deliveries and opens, per user, case and
        -- channel for shares, so a repeat is never counted twice. case_suppressed holds users the fatigue limit held back (CaseStore).
        CREATE TABLE IF NOT EXISTS engagement_deliveries (case_id TEXT NOT NULL, user_id BIGINT NOT NULL, at_ms BIGINT NOT NULL, cell TEXT NOT NULL, PRIMARY KEY (case_id, user_id));
        CREATE TABLE IF NOT EXISTS engagement_opens (
            case_id TEXT NOT NULL, user_id BIGINT NOT NULL, at_ms BIGINT NOT NULL, cell TEXT NOT NULL, sharer BIGINT NULL, depth INTEGER NOT NULL, pushed INTEGER NOT NULL,
            PRIMARY KEY (case_id, user_id));
        CREATE INDEX IF NOT EXISTS engagement_opens_sharer ON engagement_opens (sharer) WHERE sharer IS NOT NULL;
        CREATE TABLE IF NOT EXISTS engagement_shares (
            case_id TEXT NOT NULL, user_id BIGINT NOT NULL, channel TEXT NOT NULL, at_ms BIGINT NOT NULL, cell TEXT NOT NULL, depth INTEGER NOT NULL,
            PRIMARY KEY (case_id, user_id, channel));
        CREATE TABLE IF NOT EXISTS engagement_sightings (
            case_id TEXT NOT NULL, user_id BIGINT NOT NULL, seen_ms BIGINT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, cell TEXT NOT NULL,
            text TEXT NOT NULL, photo_url TEXT NULL, contact TEXT NULL, reported_ms BIGINT NOT NULL, PRIMARY KEY (case_id, user_id, seen_ms));
        CREATE INDEX IF NOT EXISTS engagement_sightings_newest ON engagement_sightings (case_id, reported_ms);
        CREATE INDEX IF NOT EXISTS engagement_deliveries_user ON engagement_deliveries (user_id);
        CREATE INDEX IF NOT EXISTS engagement_opens_user ON engagement_opens (user_id);
        CREATE INDEX IF NOT EXISTS engagement_shares_user ON engagement_shares (user_id);
        CREATE INDEX IF NOT EXISTS engagement_sightings_user ON engagement_sightings (user_id);
        -- engagement_refused is the count builds of schema 1 kept per shard (a resend's refusals counted again); it is
        -- still read, no longer written: refused events are rows of engagement_refusals, so a resend's count once.
        CREATE TABLE IF NOT EXISTS engagement_refused (case_id TEXT NOT NULL, shard INTEGER NOT NULL, refused BIGINT NOT NULL, PRIMARY KEY (case_id, shard));
        -- token is the share token's fingerprint (ShareTokens.Fingerprint), '' without one: a token names its sharer.
        CREATE TABLE IF NOT EXISTS engagement_refusals (
            case_id TEXT NOT NULL, user_id BIGINT NOT NULL, kind TEXT NOT NULL, at_ms BIGINT NOT NULL, channel TEXT NOT NULL, token TEXT NOT NULL,
            PRIMARY KEY (case_id, user_id, kind, at_ms, channel, token));
        CREATE INDEX IF NOT EXISTS engagement_refusals_user ON engagement_refusals (user_id);
        CREATE TABLE IF NOT EXISTS case_suppressed (case_id TEXT NOT NULL, user_id BIGINT NOT NULL, suppressed_ms BIGINT NOT NULL, PRIMARY KEY (case_id, user_id));
        CREATE INDEX IF NOT EXISTS case_suppressed_user ON case_suppressed (user_id);
        -- The silos that run now with the settings they must share (Hosting/LiveSilos).
        CREATE TABLE IF NOT EXISTS live_silos (silo TEXT PRIMARY KEY, settings TEXT NOT NULL, seen_ms BIGINT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('batch_seq', 0) ON CONFLICT (key) DO NOTHING;
        """;

    /// <summary>The residents table's columns ({0}: the engine's user id key type), for an engine that rebuilds the table to convert it.</summary>
    internal const string ResidentColumns = "user_id {0} PRIMARY KEY, cell BIGINT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, fix_ms BIGINT NOT NULL";

    /// <summary>The product schema version this build creates and needs, recorded in meta as <c>product_schema</c> (2: engagement_refusals; 3: case_hours; 4: audit_log.entry_key).</summary>
    public const int Version = 4;

    /// <summary>What creates or upgrades the schema: `migrate` with the silo's settings.</summary>
    public const string MigrateHint = "run `dotnet run --project Silo -- migrate` (or the silo binary with `migrate`) with this silo's settings, as a role that may create tables";

    /// <summary>
    /// Makes the store's files owner-only (<see cref="StoreEngine.KeepOwnerOnly"/>), creates missing tables and pins the
    /// cell precision: a database keeps the precision it was created with.
    /// </summary>
    public async Task EnsureAsync(int cellPrecision)
    {
        // Before the first connection opens the file: one others could read would give a new -wal file its mode.
        engine.KeepOwnerOnly(logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var connection = await engine.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Silos of a cluster start together: one creates the tables while the others wait.
        await engine.LockSchemaAsync(connection, transaction);
        await connection.ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Tables, engine.UserKeyType, engine.SequenceKey), transaction: transaction);
        // A database from before version 3 (a new one too: no version yet) has recipients that case_hours does not name: one pass over them.
        var before = await connection.ExecuteScalarAsync<long?>("SELECT value FROM meta WHERE key = 'product_schema'", transaction: transaction) ?? 0;
        if (before < 3)
            await connection.ExecuteAsync(
                $"INSERT INTO case_hours (hour_ms, case_id) SELECT DISTINCT pushed_ms - pushed_ms % {CaseStore.HourMs}, case_id FROM case_recipients WHERE true ON CONFLICT DO NOTHING",
                transaction: transaction, commandTimeout: 0);
        // Version 4: a row's idempotency key (AuditRow.Key), so a row sent again after a crash is written once. Rows of
        // earlier builds keep NULL, which the unique index lets in any number of times on both engines.
        if (await engine.ColumnTypeAsync(connection, transaction, "audit_log", "entry_key") is null)
            await connection.ExecuteAsync("ALTER TABLE audit_log ADD COLUMN entry_key TEXT NULL", transaction: transaction);
        await connection.ExecuteAsync("CREATE UNIQUE INDEX IF NOT EXISTS audit_log_entry_key ON audit_log (entry_key)", transaction: transaction, commandTimeout: 0);
        await connection.ExecuteAsync(engine.AppendOnly("audit_log"), transaction: transaction);
        if (engine.RoomForUpdates("residents") is { } room) await connection.ExecuteAsync(room, transaction: transaction);
        await connection.ExecuteAsync("INSERT INTO meta (key, value) VALUES ('cell_precision', @cellPrecision) ON CONFLICT (key) DO NOTHING", new { cellPrecision }, transaction);
        var stored = await connection.ExecuteScalarAsync<long>("SELECT value FROM meta WHERE key = 'cell_precision'", transaction: transaction);
        // Not under a precision the silo refuses below: a misconfigured start changes no rows.
        if (stored == cellPrecision)
        {
            var converting = System.Diagnostics.Stopwatch.StartNew();
            if (await engine.ConvertTextCellsAsync(connection, transaction))
                logger?.LogInformation("Converted the residents' cells from geohash text to order keys in {Seconds:F1} s", converting.Elapsed.TotalSeconds);

            // Never lowered: an older build run after a newer one leaves the newer one's mark.
            await connection.ExecuteAsync(
                "INSERT INTO meta (key, value) VALUES ('product_schema', @version) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value < excluded.value",
                new { version = Version }, transaction);
        }

        await transaction.CommitAsync();
        if (stored != cellPrecision) throw PrecisionRefused(cellPrecision, stored);
    }

    /// <summary>
    /// For a cluster silo, whose database role need not own the tables (nor create any): changes nothing, and throws
    /// <see cref="InvalidOperationException"/> naming `migrate` unless the database has this build's schema or a newer
    /// one (a rolling upgrade migrates before its first new silo), or naming the setting when its cell precision differs.
    /// </summary>
    public async Task CheckAsync(int cellPrecision)
    {
        await using var connection = await engine.OpenAsync();
        Dictionary<string, long> meta;
        try
        {
            meta = (await connection.QueryAsync<(string Key, long Value)>("SELECT key, value FROM meta WHERE key IN ('product_schema', 'cell_precision')")).ToDictionary(m => m.Key, m => m.Value);
        }
        catch (System.Data.Common.DbException e) when (e.SqlState == UndefinedTable)
        {
            throw new InvalidOperationException($"The product's tables are missing at {engine.Location}: {MigrateHint}.");
        }
        catch (System.Data.Common.DbException e) when (e.SqlState == InsufficientPrivilege)
        {
            throw new InvalidOperationException($"The silo's database role may not read the product's tables at {engine.Location} ({e.Message}): grant it SELECT, INSERT, UPDATE and DELETE on them and USAGE on their sequences, as the README's cluster section shows.");
        }

        if (!meta.TryGetValue("product_schema", out var found))
            throw new InvalidOperationException($"The product's schema at {engine.Location} was made by a build before schema versions (2026-12-01), and this build needs version {Version}: {MigrateHint}.");
        if (found < Version)
            throw new InvalidOperationException($"The product's schema at {engine.Location} is version {found}, but this build needs version {Version}: {MigrateHint}.");
        if (meta.TryGetValue("cell_precision", out var stored) && stored != cellPrecision) throw PrecisionRefused(cellPrecision, stored);
    }

    // PostgreSQL's codes for a table that does not exist, and for a table the role may not use.
    private const string UndefinedTable = "42P01";
    private const string InsufficientPrivilege = "42501";

    private static InvalidOperationException PrecisionRefused(int cellPrecision, long stored) =>
        new($"Alerts:CellPrecision is {cellPrecision} but this database was created with precision {stored}; cells cannot change size under existing residents.");
}
