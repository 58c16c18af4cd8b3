using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>
/// The residents table's schema over time: a database made before the fix-time index went loses it and keeps its rows, one
/// that stored cells as geohash text gets them as order keys, and on PostgreSQL a move within its cell is written in place.
/// </summary>
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

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Cells_stored_as_text_become_order_keys_once_and_every_block_still_finds_its_residents(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        // Cells of every precision, east and west (the key's sign), so the conversion's SQL is checked against Geohash for each
        // character position; a real database holds one precision.
        var random = new Random(11);
        var cells = Enumerable.Range(1, 600)
            .Select(i => Geohash.Encode(random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180, 1 + i % Geohash.MaxPrecision))
            .Concat([Geohash.Parse("ws100"), Geohash.Parse("ws10b"), Geohash.Parse("ws1"), Geohash.Parse("zzzzzzzzzzzz"), Geohash.Parse("000000000000"), Geohash.Parse("h"), Geohash.Parse("0"), Geohash.Parse("ws10")])
            .ToList();
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync(EarlierResidents);
            await connection.ExecuteAsync("INSERT INTO residents (user_id, cell, lat, lon, fix_ms) VALUES (@UserId, @Cell, 22.5, 114.0, @T)",
                cells.Select((c, i) => new { UserId = (long)i, Cell = c.ToString(), T }));
        }

        await new ProductSchema(engine).EnsureAsync(5);
        await new ProductSchema(engine).EnsureAsync(5);

        await using (var connection = await engine.OpenAsync())
        {
            var stored = (await connection.QueryAsync<(long UserId, long Cell)>("SELECT user_id, cell FROM residents")).ToDictionary(r => r.UserId, r => r.Cell);
            Assert.Equal(cells.Count, stored.Count);
            for (var i = 0; i < cells.Count; i++) Assert.True(cells[i].OrderKey == stored[i], $"{cells[i]}: {stored[i]}, not {cells[i].OrderKey}");
        }

        var store = new ResidentStore(engine);
        Assert.Equal(cells.Select(c => c.Packed).Distinct().Order(), (await store.LoadResidentCellsAsync()).Order());
        // A block finds the rows of every cell inside it and no other, the cell itself included.
        var blocks = new[] { Geohash.Parse("ws1"), Geohash.Parse("ws10"), Geohash.Parse("h"), Geohash.Parse("z"), Geohash.Parse("0"), cells[7] };
        var found = await store.LoadBlocksAsync(blocks);
        foreach (var block in blocks)
        {
            var expected = cells.Select((c, i) => (c, UserId: (long)i)).Where(x => x.c.ToString().StartsWith(block.ToString(), StringComparison.Ordinal)).Select(x => x.UserId).Order();
            Assert.Equal(expected, found[block.Packed].Select(r => r.UserId).Order());
        }

        // The converted table is the table a new database gets: same columns, types, nullability, defaults, order.
        await using (var fresh = ResidentStoreTests.Engine(provider))
        {
            await new ProductSchema(fresh).EnsureAsync(5);
            Assert.Equal(await ColumnsAsync(fresh, provider), await ColumnsAsync(engine, provider));
        }

        // New positions are written as keys beside the converted ones.
        await store.FlushResidentsAsync([(Geohash.Parse("ws100"), new ResidentFix(10_000, 22.5, 114.0, T, false))], []);
        Assert.Equal([cells.IndexOf(Geohash.Parse("ws100")), 10_000L], (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId).Order());
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task The_silos_migrate_command_converts_text_cells_and_logs_how_long_it_took(string provider)
    {
        var store = StorageKind.Fresh(provider);
        await using (var engine = StoreEngine.For(store.Provider, store.ConnectionString))
        await using (var connection = await engine.OpenAsync())
        {
            await connection.ExecuteAsync(EarlierResidents);
            await connection.ExecuteAsync("INSERT INTO residents (user_id, cell, lat, lon, fix_ms) VALUES (1, 'ws100', 22.5, 114.0, @T)", new { T });
        }

        var settings = ProcessSettings.For(store.Provider, store.ConnectionString, "migrate-" + Guid.NewGuid().ToString("N")[..6]);
        var (exitCode, output) = await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")]);

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"Converted the residents' cells from geohash text to order keys in \d+[.,]\d s", output);
        await using (var engine = StoreEngine.For(store.Provider, store.ConnectionString))
            Assert.Equal([1L], (await new ResidentStore(engine).LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId));
    }

    // The residents table's columns in order, each as "name type nullability default".
    private static async Task<List<string>> ColumnsAsync(StoreEngine engine, string provider)
    {
        await using var connection = await engine.OpenAsync();
        return (await connection.QueryAsync<string>(provider == "postgres"
            ? "SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'residents' ORDER BY ordinal_position"
            : "SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || coalesce(dflt_value, '-') || ' ' || pk FROM pragma_table_info('residents') ORDER BY cid")).AsList();
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
