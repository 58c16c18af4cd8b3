using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>The residents table's indexes: a database made before the fix-time index went loses it and keeps its rows, and on PostgreSQL a move within its cell is written in place.</summary>
public sealed class ResidentSchemaTests
{
    private static readonly long T = AlertsSilo.Epoch.ToUnixTimeMilliseconds();

    // The residents table as the schema made it until the fix-time index was dropped.
    private const string EarlierResidents = """
        CREATE TABLE residents (user_id BIGINT PRIMARY KEY, cell TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, fix_ms BIGINT NOT NULL);
        CREATE INDEX residents_cell ON residents (cell);
        CREATE INDEX residents_fix ON residents (fix_ms);
        """;

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task An_earlier_database_loses_the_fix_index_keeps_its_rows_and_still_purges_stale_ones(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync(EarlierResidents);
            await connection.ExecuteAsync("INSERT INTO residents (user_id, cell, lat, lon, fix_ms) VALUES (1, 'ws100', 22.5, 114.0, @old), (2, 'ws100', 22.5, 114.0, @fresh)", new { old = T - 60_000, fresh = T });
        }

        await new ProductSchema(engine).EnsureAsync(5);

        await using (var connection = await engine.OpenAsync())
        {
            var indexes = provider == "postgres"
                ? "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'residents' AND indexname = @name"
                : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents' AND name = @name";
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(indexes, new { name = "residents_fix" }));
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>(indexes, new { name = "residents_cell" }));
        }

        var store = new ResidentStore(engine);
        Assert.Equal(1, await store.PurgeStaleIfDueAsync(DateTimeOffset.FromUnixTimeMilliseconds(T - 1), DateTimeOffset.FromUnixTimeMilliseconds(T), TimeSpan.FromHours(1)));
        Assert.Equal([2L], (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId));
    }

    [Fact]
    public async Task On_PostgreSQL_a_move_within_its_cell_is_written_in_place_and_one_to_another_cell_is_not()
    {
        await using var engine = ResidentStoreTests.Engine("postgres");
        await using (var connection = await engine.OpenAsync())
            await connection.ExecuteAsync(EarlierResidents);
        await new ProductSchema(engine).EnsureAsync(5);
        var store = new ResidentStore(engine);
        await store.FlushResidentsAsync([(Geohash.Parse("ws100"), new ResidentFix(1, 22.5, 114.0, T, false)), (Geohash.Parse("ws100"), new ResidentFix(2, 22.5, 114.0, T, false))], []);

        await using var moving = await engine.OpenAsync();
        await using var transaction = await moving.BeginTransactionAsync();
        // User 1 moves within ws100 (no indexed column changes); user 2 moves to ws101 (the cell index must learn it).
        await engine.WriteResidentsAsync(moving, transaction, [(Geohash.Parse("ws100"), new ResidentFix(1, 22.51, 114.01, T + 1_000, false)), (Geohash.Parse("ws101"), new ResidentFix(2, 22.6, 114.1, T + 1_000, false))], []);
        var updated = await moving.ExecuteScalarAsync<long>("SELECT pg_stat_get_xact_tuples_updated('residents'::regclass)", transaction: transaction);
        var inPlace = await moving.ExecuteScalarAsync<long>("SELECT pg_stat_get_xact_tuples_hot_updated('residents'::regclass)", transaction: transaction);
        await transaction.CommitAsync();

        Assert.Equal(2, updated);
        Assert.Equal(1, inPlace);
        // Room on each page for such versions (an earlier table gets it too; it applies to pages written from then on).
        Assert.Contains("fillfactor=85", await moving.ExecuteScalarAsync<string[]>("SELECT reloptions FROM pg_class WHERE relname = 'residents'") ?? []);
        var ws100 = Assert.Single(await store.LoadCellAsync(Geohash.Parse("ws100")));
        Assert.Equal((1L, 22.51, T + 1_000), (ws100.UserId, ws100.Latitude, ws100.FixUnixMs));
        Assert.Equal([2L], (await store.LoadCellAsync(Geohash.Parse("ws101"))).Select(r => r.UserId));
    }
}
