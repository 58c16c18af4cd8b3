using System.Globalization;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>
/// The audit log's idempotency key on both engines: a row sent again under its key is written once, rows without one
/// never collide, and a database from before the key (schema 3) gets it while its rows keep none.
/// </summary>
public sealed class AuditStoreTests
{
    // The audit log as builds before version 4 made it ({0}: the engine's sequence key), with two rows.
    private const string EarlierAuditLog = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('product_schema', 3);
        CREATE TABLE audit_log (
            seq {0}, at_ms BIGINT NOT NULL, actor TEXT NOT NULL, roles TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
            state_before TEXT NULL, state_after TEXT NULL, detail TEXT NULL);
        CREATE INDEX audit_log_subject ON audit_log (subject, seq);
        INSERT INTO audit_log (at_ms, actor, roles, action, subject) VALUES (1, 'tester', 'admin', 'case.open', 'old'), (2, 'tester', 'admin', 'case.submit', 'old');
        """;

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_row_sent_again_under_its_key_is_written_once_and_rows_without_one_never_collide(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await new ProductSchema(engine).EnsureAsync(5);
        var store = new AuditStore(engine);
        var submit = Row("case.submit", "sz-1", "case:sz-1#2");

        Assert.True(await store.AppendAsync(submit));
        // Sent again (a case whose silo died before its state dropped the row): the key decides, and the log keeps the first.
        Assert.False(await store.AppendAsync(submit));
        Assert.False(await store.AppendAsync(submit with { Detail = "sent again" }));
        Assert.True(await store.AppendAsync(Row("case.approve", "sz-1", "case:sz-1#3")));
        Assert.True(await store.AppendAsync(Row("residency.settle", "residency", null)));
        Assert.True(await store.AppendAsync(Row("residency.settle", "residency", null)));

        var entries = await store.ReadAsync(null, 0, 100);
        Assert.Equal(["case.submit", "case.approve", "residency.settle", "residency.settle"], entries.Select(e => e.Action));
        Assert.Null(entries[0].Detail);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_database_from_before_the_key_gets_it_and_its_rows_keep_none(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync(string.Format(CultureInfo.InvariantCulture, EarlierAuditLog, engine.SequenceKey));
            await connection.ExecuteAsync(engine.AppendOnly("audit_log"));
        }

        // Twice: the upgrade is idempotent, as every start of the embedded silo runs it.
        await new ProductSchema(engine).EnsureAsync(5);
        await new ProductSchema(engine).EnsureAsync(5);

        var store = new AuditStore(engine);
        Assert.True(await store.AppendAsync(Row("case.approve", "old", "case:old#3")));
        Assert.False(await store.AppendAsync(Row("case.approve", "old", "case:old#3")));
        Assert.Equal(["case.open", "case.submit", "case.approve"], (await store.ReadAsync("old", 0, 100)).Select(e => e.Action));
        await using (var connection = await engine.OpenAsync())
        {
            Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE entry_key IS NULL"));
            Assert.Equal(ProductSchema.Version, await connection.ExecuteScalarAsync<long>("SELECT value FROM meta WHERE key = 'product_schema'"));
            // Still append-only.
            await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("UPDATE audit_log SET entry_key = 'case:old#1' WHERE seq = 1"));
        }
    }

    private static AuditRow Row(string action, string subject, string? key) =>
        new(AlertsSilo.Epoch, "tester", "admin", action, subject, "Draft", "AwaitingApproval", null, key);
}
