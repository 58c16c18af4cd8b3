using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>An erasure's scan of the outbox: the batches the hub holds are left out, and only whole ids match.</summary>
public sealed class OutboxErasureTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task The_scan_finds_the_users_batches_but_those_the_hub_holds_and_those_naming_a_longer_id(string provider)
    {
        var store = StorageKind.Fresh(provider);
        await using var engine = StoreEngine.For(store.Provider, store.ConnectionString);
        await new ProductSchema(engine).EnsureAsync(5);
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO push_outbox (batch_id, case_id, user_ids, payload, created_ms) VALUES (@BatchId, 'c', @UserIds, '{}', 0)",
                new[] { (1L, "12,40"), (2L, "12,41"), (3L, "112,5"), (4L, "7,8"), (5L, "40,12") }.Select(r => new { BatchId = r.Item1, UserIds = r.Item2 }));
        }

        var found = await new OutboxStore(engine).LoadBatchesMentioningAsync(12, except: [2, 4]);

        Assert.Equal(["1:12,40", "5:40,12"], found.Select(f => $"{f.BatchId}:{OutboxStore.FormatIds(f.UserIds)}").Order());
    }
}
