using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>Location ingest: moves, order, bad input, opt-out, erasure, purge, and what a restart keeps.</summary>
public sealed class ResidencyTests
{
    private static readonly int Blocks = new Grains.AlertsOptions().BlockPrecision;

    // The cell grain a point's resident lives in (the default block size).
    private static Geohash BlockOf(double lat, double lon) => Geohash.Encode(lat, lon, Blocks);

    private static Geohash CellOf(double lat, double lon) => Geohash.Encode(lat, lon, 5);

    [Fact]
    public async Task A_move_leaves_the_old_cell_and_joins_the_new_one()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        await residency.Report([new LocationUpdate(42, 22.54, 114.05, AlertsSilo.Epoch)]);
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Count());

        await residency.Report([new LocationUpdate(42, 23.10, 113.30, AlertsSilo.Epoch.AddMinutes(5))]);
        Assert.Equal(0, await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Count());
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(23.10, 113.30)).Count());
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_move_between_cells_of_one_block_keeps_the_user_once_and_the_row_names_the_new_cell(string provider)
    {
        var storage = StorageKind.Fresh(provider);
        var (fromLat, fromLon, toLat, toLon) = (22.54, 114.05, 22.60, 114.30); // cells ws105 and ws128, both in block ws1
        Assert.Equal(BlockOf(fromLat, fromLon), BlockOf(toLat, toLon));
        Assert.NotEqual(CellOf(fromLat, fromLon), CellOf(toLat, toLon));
        await using (var silo = await AlertsSilo.StartAsync(storage))
        {
            var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
            await residency.Report([new LocationUpdate(42, fromLat, fromLon, AlertsSilo.Epoch)]);
            await silo.Grains.GetCell(BlockOf(fromLat, fromLon)).Flush();
            await residency.Report([new LocationUpdate(42, toLat, toLon, AlertsSilo.Epoch.AddMinutes(5))]);
            Assert.Equal(1, await silo.Grains.GetCell(BlockOf(toLat, toLon)).Count());
            await silo.Grains.GetCell(BlockOf(toLat, toLon)).Flush();
            Assert.Empty(await silo.Residents.LoadCellAsync(CellOf(fromLat, fromLon)));
            Assert.Equal([42L], (await silo.Residents.LoadCellAsync(CellOf(toLat, toLon))).Select(r => r.UserId));
        }

        // And the block loads them back, once, at the new place.
        await using var again = await AlertsSilo.StartAsync(storage);
        Assert.Equal(1, await again.Grains.GetCell(BlockOf(toLat, toLon)).Count());
        var gateway = await again.SubscribeGatewayAsync();
        var done = await again.DispatchAsync("moved-within", Admins.Case(toLat, toLon, 1_000, "m", "https://a.example/x"));
        await gateway.WaitForPushes(1);
        Assert.Equal(1, done.Recipients);
        Assert.Equal([42L], gateway.Pushes);
    }

    [Fact]
    public async Task A_block_answers_reports_while_its_stored_rows_load_and_those_rows_do_not_undo_what_came_meanwhile()
    {
        var (storage, again, (lat, lon)) = await RestartedWithThreeResidentsAsync();
        await using var _ = again;
        var residency = again.Grains.GetGrain<IResidencyGrain>(0);
        // Loading a block reads the opt-outs beside the rows: with that table locked, no block can load, while the
        // writer (which writes only positions) still can, and reports are answered once written.
        await using var locker = await LockAsync(storage, "user_prefs");

        // Answered while the block's rows cannot be read: user 1 leaves for another block, user 4 arrives.
        var result = await residency.Report([new LocationUpdate(1, 40.0, 10.0, AlertsSilo.Epoch.AddMinutes(1)), new LocationUpdate(4, lat, lon, AlertsSilo.Epoch.AddMinutes(1))]);
        Assert.Equal(2, result.Applied);
        var counting = again.Grains.GetCell(BlockOf(lat, lon)).Count();
        Assert.False(counting.IsCompleted, "a count waits for the stored rows");
        await locker.DisposeAsync();

        // The stored rows came in under what happened meanwhile: 1 stays gone, nobody twice.
        Assert.Equal(3, await counting);
        Assert.Equal(1, await again.Grains.GetCell(BlockOf(40.0, 10.0)).Count());
        var gateway = await again.SubscribeGatewayAsync();
        var done = await again.DispatchAsync("after-load", Admins.Case(lat, lon, 1_000, "m", "https://a.example/x"));
        await gateway.WaitForPushes(3);
        Assert.Equal(3, done.Recipients);
        Assert.Equal([2L, 3L, 4L], gateway.Pushes.Order());
    }

    [Fact]
    public async Task An_opt_out_while_a_blocks_stored_rows_load_is_not_undone_by_them()
    {
        var (storage, again, (lat, lon)) = await RestartedWithThreeResidentsAsync();
        await using var _ = again;
        // Nobody may read (or write) positions until the lock goes; opt-outs are written to another table.
        await using var locker = await LockAsync(storage, "residents");

        await again.Grains.GetGrain<IResidencyGrain>(0).SetOptOut(2, true);
        var counting = again.Grains.GetCell(BlockOf(lat, lon)).Count();
        Assert.False(counting.IsCompleted, "a count waits for the stored rows");
        await locker.DisposeAsync();

        Assert.Equal(3, await counting);
        var gateway = await again.SubscribeGatewayAsync();
        var done = await again.DispatchAsync("after-load", Admins.Case(lat, lon, 1_000, "m", "https://a.example/x"));
        await gateway.WaitForPushes(2);
        Assert.Equal(2, done.Recipients);
        Assert.Equal([1L, 3L], gateway.Pushes.Order());
    }

    // Users 1-3 stored in one block on PostgreSQL, and a silo started again on them whose directory shards have read
    // their rows (so only the block's own load is left to wait on a lock).
    private static async Task<(TestStore Storage, AlertsSilo Silo, (double Lat, double Lon) Place)> RestartedWithThreeResidentsAsync()
    {
        var storage = StorageKind.Fresh("postgres");
        var (lat, lon) = (22.54, 114.05);
        await using (var silo = await AlertsSilo.StartAsync(storage))
            await silo.Grains.GetGrain<IResidencyGrain>(0).Report(new long[] { 1, 2, 3 }.Select(id => new LocationUpdate(id, lat, lon, AlertsSilo.Epoch)).ToList());

        var again = await AlertsSilo.StartAsync(storage);
        var shards = new Grains.AlertsOptions().DirectoryShards;
        await Task.WhenAll(Enumerable.Range(0, shards).Select(s => again.Grains.GetGrain<IUserDirectoryGrain>(s).Apply([])));
        return (storage, again, (lat, lon));
    }

    // An open transaction holding the table's strongest lock; disposing the connection ends it.
    private static async Task<Npgsql.NpgsqlConnection> LockAsync(TestStore storage, string table)
    {
        var locker = new Npgsql.NpgsqlConnection(storage.ConnectionString);
        await locker.OpenAsync();
        await new Npgsql.NpgsqlCommand($"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", locker).ExecuteNonQueryAsync();
        return locker;
    }

    [Fact]
    public async Task With_a_grain_per_cell_a_move_leaves_the_old_cell_grain()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: new() { ["Alerts:BlockPrecision"] = "5" });
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        await residency.Report([new LocationUpdate(42, 22.54, 114.05, AlertsSilo.Epoch)]);
        Assert.Equal(1, await silo.Grains.GetCell(CellOf(22.54, 114.05)).Count());
        await residency.Report([new LocationUpdate(42, 22.60, 114.30, AlertsSilo.Epoch.AddMinutes(5))]);
        Assert.Equal(0, await silo.Grains.GetCell(CellOf(22.54, 114.05)).Count());
        Assert.Equal(1, await silo.Grains.GetCell(CellOf(22.60, 114.30)).Count());
        Assert.Equal(0, await silo.Grains.GetCell(BlockOf(22.60, 114.30)).Count());
    }

    [Fact]
    public async Task A_case_centred_near_its_blocks_edge_collects_nobody_beyond_the_radius_from_that_block()
    {
        // Tokyo lies near the west edge of its block (xn7); the block's east corners are 128 km away. The block was once
        // judged wholly inside a 120 km circle (its farthest distance read 106 km), and every resident in it was
        // collected without a test: these residents 120.4 and 121.5 km away among them.
        const double lat = 35.6895, lon = 139.69171;
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await silo.Grains.GetGrain<IResidencyGrain>(0).Report(
        [
            new LocationUpdate(1, lat, lon, AlertsSilo.Epoch),
            new LocationUpdate(2, 36.47460525028663, 140.58056732309996, AlertsSilo.Epoch), // 118.3 km
            new LocationUpdate(3, 36.49224288523496, 140.59060149962934, AlertsSilo.Epoch), // 120.4 km
            new LocationUpdate(4, 36.49187453208731, 140.60972366251352, AlertsSilo.Epoch), // 121.5 km
        ]);
        Assert.Equal(BlockOf(lat, lon), BlockOf(36.49187453208731, 140.60972366251352));

        var collected = await silo.Grains.GetCell(BlockOf(lat, lon)).Collect(new ActiveCase("tokyo", lat, lon, 120_000, AlertsSilo.Epoch.AddDays(1)));
        Assert.Equal([1, 2], collected.UserIds);
    }

    [Fact]
    public async Task An_update_older_than_the_one_held_is_ignored()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        await residency.Report([new LocationUpdate(7, 22.54, 114.05, AlertsSilo.Epoch)]);
        var result = await residency.Report([
            new LocationUpdate(7, 30.0, 120.0, AlertsSilo.Epoch.AddMinutes(-1)),
            new LocationUpdate(7, 31.0, 121.0, AlertsSilo.Epoch.AddMilliseconds(-1)),
        ]);
        Assert.Equal((0, 2, 0), (result.Applied, result.Ignored, result.Rejected));
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Count());

        // The same fix time again is applied again (a retried report), and within the block the last one told wins.
        result = await residency.Report([new LocationUpdate(7, 22.54, 114.05, AlertsSilo.Epoch)]);
        Assert.Equal((1, 0, 0), (result.Applied, result.Ignored, result.Rejected));
        var (nearLat, nearLon) = (22.60, 114.30); // another cell of the same block
        Assert.Equal(BlockOf(22.54, 114.05), BlockOf(nearLat, nearLon));
        result = await residency.Report([new LocationUpdate(7, nearLat, nearLon, AlertsSilo.Epoch)]);
        Assert.Equal((1, 0, 0), (result.Applied, result.Ignored, result.Rejected));
        Assert.Equal([7L], (await silo.Residents.LoadCellAsync(CellOf(nearLat, nearLon))).Select(r => r.UserId));
        Assert.Empty(await silo.Residents.LoadCellAsync(CellOf(22.54, 114.05)));

        // The same fix time in another block is ignored: the first block keeps the user and the row.
        result = await residency.Report([new LocationUpdate(7, 31.0, 121.0, AlertsSilo.Epoch)]);
        Assert.Equal((0, 1, 0), (result.Applied, result.Ignored, result.Rejected));
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Count());
        Assert.Equal(0, await silo.Grains.GetCell(BlockOf(31.0, 121.0)).Count());
        Assert.Equal([7L], (await silo.Residents.LoadCellAsync(CellOf(nearLat, nearLon))).Select(r => r.UserId));

        // A newer fix moves them as ever.
        result = await residency.Report([new LocationUpdate(7, 31.0, 121.0, AlertsSilo.Epoch.AddMilliseconds(1))]);
        Assert.Equal((1, 0, 0), (result.Applied, result.Ignored, result.Rejected));
        Assert.Equal(0, await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Count());
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(31.0, 121.0)).Count());

        // Within one batch the newest fix wins whatever the order.
        result = await residency.Report([
            new LocationUpdate(8, 40.0, 10.0, AlertsSilo.Epoch.AddMinutes(2)),
            new LocationUpdate(8, 41.0, 11.0, AlertsSilo.Epoch.AddMinutes(1)),
        ]);
        Assert.Equal((1, 1), (result.Applied, result.Ignored));
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(40.0, 10.0)).Count());
        Assert.Equal(0, await silo.Grains.GetCell(BlockOf(41.0, 11.0)).Count());
    }

    [Fact]
    public async Task Each_invalid_update_is_rejected_with_its_field_and_the_rest_applied()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var now = AlertsSilo.Epoch;
        var result = await silo.Grains.GetGrain<IResidencyGrain>(0).Report([
            new LocationUpdate(1, 10, 10, now),
            new LocationUpdate(2, double.NaN, 10, now),
            new LocationUpdate(3, 91, 10, now),
            new LocationUpdate(4, 10, -180.5, now),
            new LocationUpdate(0, 10, 10, now),
            new LocationUpdate(6, 10, double.PositiveInfinity, now),
            new LocationUpdate(7, 10, 10, default),
            new LocationUpdate(8, 10, 10, now.AddHours(1)),
            new LocationUpdate(9, 10, 10, now.AddDays(-8)),
            null!,
            new LocationUpdate(11, -10, -10, now),
        ]);
        Assert.Equal((2, 0, 9), (result.Applied, result.Ignored, result.Rejected));
        var byIndex = result.Rejections.ToDictionary(r => r.Index);
        Assert.Equal("latitude", byIndex[1].Field);
        Assert.Contains("finite", byIndex[1].Reason);
        Assert.Equal("latitude", byIndex[2].Field);
        Assert.Contains("[-90, 90]", byIndex[2].Reason);
        Assert.Equal("longitude", byIndex[3].Field);
        Assert.Equal("userId", byIndex[4].Field);
        Assert.Equal("longitude", byIndex[5].Field);
        Assert.Equal(("fixTime", "is missing"), (byIndex[6].Field, byIndex[6].Reason));
        Assert.Contains("future", byIndex[7].Reason);
        Assert.Contains("retention", byIndex[8].Reason);
        Assert.Equal("update", byIndex[9].Field);
        Assert.Equal(3, byIndex[2].UserId);
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_whole_with_the_limit_named()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var updates = Enumerable.Range(1, 10_001).Select(i => new LocationUpdate(i, 10, 10, AlertsSilo.Epoch)).ToList();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => silo.Grains.GetGrain<IResidencyGrain>(0).Report(updates));
        Assert.Contains("10000", ex.Message);
        Assert.Equal("updates", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_report_is_answered_only_once_its_positions_are_written(string provider)
    {
        // The manual clock never reaches a flush interval: only the report itself can have its rows written.
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        var result = await residency.Report(Enumerable.Range(1, 50).Select(i => new LocationUpdate(i, 30.0, 120.0, AlertsSilo.Epoch)).ToList());
        Assert.Equal(50, result.Applied);
        Assert.Equal(50, (await silo.Residents.LoadCellAsync(CellOf(30.0, 120.0))).Count);

        // A move to another block: the answer waits for the new row.
        await residency.Report([new LocationUpdate(1, 31.0, 121.0, AlertsSilo.Epoch.AddMinutes(1))]);
        Assert.Equal([1L], (await silo.Residents.LoadCellAsync(CellOf(31.0, 121.0))).Select(r => r.UserId));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_report_that_cannot_be_written_fails_and_its_retry_is_answered_once_written(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        var engine = silo.Services.GetRequiredService<Grains.StoreEngine>();
        var updates = Enumerable.Range(1, 20).Select(i => new LocationUpdate(i, 30.0, 120.0, AlertsSilo.Epoch)).ToList();

        // The shards of users 1-20 have read their rows (loading needs the table too).
        var shards = new Grains.AlertsOptions().DirectoryShards;
        await Task.WhenAll(updates.Select(u => u.UserId % shards).Distinct().Select(s => silo.Grains.GetGrain<IUserDirectoryGrain>(s).Apply([])));
        // The table is away: the report is not acknowledged (the writer keeps its positions for the next write: ResidentWriterTests).
        await ExecuteAsync(engine, "ALTER TABLE residents RENAME TO residents_away");
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => residency.Report(updates));
        Assert.Contains("residents", failed.Message);
        await ExecuteAsync(engine, "ALTER TABLE residents_away RENAME TO residents");

        // The gateway's retry of the same fixes is applied again, and answered once they are written.
        var retry = await residency.Report(updates);
        Assert.Equal((20, 0), (retry.Applied, retry.Ignored));
        Assert.Equal(20, (await silo.Residents.LoadCellAsync(CellOf(30.0, 120.0))).Count);
    }

    private static async Task ExecuteAsync(Grains.StoreEngine engine, string sql)
    {
        await using var connection = await engine.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Erasure_deletes_every_row_about_the_user()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
        await residency.Report([new LocationUpdate(5, 22.54, 114.05, AlertsSilo.Epoch), new LocationUpdate(6, 22.54, 114.05, AlertsSilo.Epoch)]);
        await residency.SetOptOut(5, false);
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("erase");
        var watcher = new ProgressWatcher();
        await Admins.FileAsync(caseGrain, Admins.Case(22.54, 114.05, 10_000, "m", "https://a.example/x"));
        await caseGrain.Watch(silo.Grains.CreateObjectReference<ICaseObserver>(watcher));
        await Admins.ApproveAsync(caseGrain);
        await watcher.WaitFor(p => p.Status == CaseStatus.Active);
        await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Flush();
        Assert.True(await silo.Residents.CountRowsAboutAsync(5) >= 3); // resident, preference, recipient (+ a pending batch: no gateway)

        await residency.Erase(5);
        await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Flush();
        Assert.Equal(0, await silo.Residents.CountRowsAboutAsync(5));
        Assert.Equal(1, await silo.Grains.GetCell(BlockOf(22.54, 114.05)).Count());
        Assert.True(await silo.Residents.CountRowsAboutAsync(6) > 0);
    }

    [Fact]
    public async Task Bad_user_ids_for_privacy_requests_are_refused()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => silo.Grains.GetGrain<IResidencyGrain>(0).SetOptOut(-4, true));
        Assert.Equal("userId", ex.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => silo.Grains.GetGrain<IResidencyGrain>(0).Erase(0));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task After_a_restart_the_directory_still_knows_each_users_cell_fix_and_opt_out(string provider)
    {
        var storage = StorageKind.Fresh(provider);
        var (oldLat, oldLon, newLat, newLon) = (22.54, 114.05, 23.10, 113.30);
        await using (var silo = await AlertsSilo.StartAsync(storage))
        {
            var residency = silo.Grains.GetGrain<IResidencyGrain>(0);
            await residency.Report(new long[] { 1, 2, 3 }.Select(id => new LocationUpdate(id, oldLat, oldLon, AlertsSilo.Epoch)).ToList());
            await residency.SetOptOut(3, true);
            await residency.SetOptOut(4, true); // opted out before ever reporting a position
        }

        await using var again = await AlertsSilo.StartAsync(storage);
        var result = await again.Grains.GetGrain<IResidencyGrain>(0).Report([
            new LocationUpdate(1, newLat, newLon, AlertsSilo.Epoch.AddMinutes(-1)), // older than the stored fix
            new LocationUpdate(2, newLat, newLon, AlertsSilo.Epoch.AddMinutes(1)),
            new LocationUpdate(3, newLat, newLon, AlertsSilo.Epoch.AddMinutes(1)),
            new LocationUpdate(4, newLat, newLon, AlertsSilo.Epoch.AddMinutes(1)),
        ]);
        Assert.Equal((3, 1), (result.Applied, result.Ignored));
        // The movers left their old cell: the directory remembered where they were.
        Assert.Equal(1, await again.Grains.GetCell(BlockOf(oldLat, oldLon)).Count());
        Assert.Equal(3, await again.Grains.GetCell(BlockOf(newLat, newLon)).Count());

        // Only user 2 is alerted at the new place: the opt-outs came along with the moves.
        var gateway = await again.SubscribeGatewayAsync();
        var done = await again.DispatchAsync("after-restart", Admins.Case(newLat, newLon, 2_000, "m", "https://a.example/x"));
        await gateway.WaitForPushes(1);
        Assert.Equal(1, done.Recipients);
        Assert.Equal([2L], gateway.Pushes);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_graceful_restart_loses_no_position_and_stale_ones_are_purged(string provider)
    {
        var storage = StorageKind.Fresh(provider);
        var time = new ManualTimeProvider(AlertsSilo.Epoch);
        var residents = Population.Around(1, 22.5, 114.0, 50_000, scatter: 500, AlertsSilo.Epoch);
        await using (var silo = await AlertsSilo.StartAsync(storage, time))
        {
            await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
            // Nothing flushed yet (the flush timer runs on the manual clock): the graceful stop must write it all.
        }

        await using (var again = await AlertsSilo.StartAsync(storage, time))
        {
            var total = 0;
            foreach (var block in residents.Select(r => BlockOf(r.Latitude, r.Longitude)).Distinct())
                total += await again.Grains.GetCell(block).Count();
            Assert.Equal(residents.Count, total);

            // Eight days later every position is stale: the hourly purge deletes them all. Passes run while the clock
            // jumps, each reading it where it is; the first one claimed after the positions grew stale deletes them (the
            // last tick's pass reads the final clock, unless such a pass ran within the hour before it).
            var lastFix = residents.Max(r => r.FixTime);
            var finalPass = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            again.Purge.Purged += (cutoff, _) =>
            {
                if (cutoff > lastFix) finalPass.TrySetResult();
            };
            time.Advance(TimeSpan.FromDays(8));
            await finalPass.Task.WaitAsync(TimeSpan.FromSeconds(60));
            foreach (var cell in residents.Select(r => CellOf(r.Latitude, r.Longitude)).Distinct())
                Assert.Empty(await again.Residents.LoadCellAsync(cell));
        }
    }
}

/// <summary>A database keeps the cell precision it was created with.</summary>
public sealed class CellPrecisionTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_database_refuses_a_different_cell_precision(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        var schema = new Grains.ProductSchema(engine);
        await schema.EnsureAsync(5);
        await schema.EnsureAsync(5);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => schema.EnsureAsync(6));
        Assert.Contains("CellPrecision is 6", ex.Message);
        Assert.Contains("precision 5", ex.Message);
    }

    [Fact]
    public async Task A_cluster_silos_check_changes_nothing_and_names_migrate_until_the_schema_is_current()
    {
        await using var engine = ResidentStoreTests.Engine("postgres");
        var schema = new Grains.ProductSchema(engine);
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => schema.CheckAsync(5));
        Assert.StartsWith("The product's tables are missing at ", missing.Message);
        Assert.Contains(Grains.ProductSchema.MigrateHint, missing.Message);
        // The check created nothing.
        await using (var connection = await engine.OpenAsync())
            Assert.Null(await Dapper.SqlMapper.ExecuteScalarAsync<string?>(connection, "SELECT to_regclass('meta')::text"));

        await schema.EnsureAsync(5);
        await schema.CheckAsync(5);
        Assert.Contains("CellPrecision is 6", (await Assert.ThrowsAsync<InvalidOperationException>(() => schema.CheckAsync(6))).Message);

        // A database an earlier build migrated (no mark, or a lower one) is refused until `migrate` runs again; a newer
        // build's mark is accepted, and never lowered by an older build's migrate.
        await using (var connection = await engine.OpenAsync())
            await Dapper.SqlMapper.ExecuteAsync(connection, "DELETE FROM meta WHERE key = 'product_schema'");
        var older = await Assert.ThrowsAsync<InvalidOperationException>(() => schema.CheckAsync(5));
        Assert.Contains($"was made by a build before schema versions (2026-12-01), and this build needs version {Grains.ProductSchema.Version}: run `dotnet run --project Silo -- migrate`", older.Message);
        await using (var connection = await engine.OpenAsync())
            await Dapper.SqlMapper.ExecuteAsync(connection, "INSERT INTO meta (key, value) VALUES ('product_schema', 0)");
        Assert.Contains($"is version 0, but this build needs version {Grains.ProductSchema.Version}", (await Assert.ThrowsAsync<InvalidOperationException>(() => schema.CheckAsync(5))).Message);
        await schema.EnsureAsync(5);
        await schema.CheckAsync(5);
        await using (var connection = await engine.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE meta SET value = value + 1 WHERE key = 'product_schema'");
            await schema.EnsureAsync(5);
            Assert.Equal(Grains.ProductSchema.Version + 1, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT value FROM meta WHERE key = 'product_schema'"));
        }

        await schema.CheckAsync(5);
    }

    [Fact]
    public async Task A_directory_shard_beyond_the_configured_count_refuses_to_activate_and_says_why()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var shards = new Grains.AlertsOptions().DirectoryShards;
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => silo.Grains.GetGrain<IUserDirectoryGrain>(shards).Apply([]));
        Assert.Contains($"directory shard {shards} does not exist: Alerts:DirectoryShards is {shards}", refused.ToString());
        Assert.Equal(0, (await silo.Grains.GetGrain<IUserDirectoryGrain>(shards - 1).Apply([])).Applied);
    }

    [Fact]
    public void Settings_out_of_range_are_refused_by_name()
    {
        var ex = Assert.Throws<Geo.GeoValidationException>(() => new Grains.AlertsOptions { CellPrecision = 13 }.Validate());
        Assert.Equal("Alerts:CellPrecision", ex.Field);
        var radius = Assert.Throws<Geo.GeoValidationException>(() => new Grains.AlertsOptions { DefaultRadiusMeters = 600_000 }.Validate());
        Assert.Equal("Alerts:DefaultRadiusMeters", radius.Field);
        Assert.Contains("DirectoryShards", Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { DirectoryShards = 0 }.Validate()).Message);
        Assert.Contains("Alerts:BlockPrecision 6 is invalid: must be within [1, Alerts:CellPrecision (5)]",
            Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { BlockPrecision = 6 }.Validate()).Message);
        Assert.Contains("Alerts:BlockPrecision 0 is invalid", Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { BlockPrecision = 0 }.Validate()).Message);
        Assert.Contains("Alerts:RecipientsPerTransaction 100 is invalid: must be at least Alerts:PushBatchSize (500)",
            Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { RecipientsPerTransaction = 100 }.Validate()).Message);
        Assert.Contains("Alerts:BlockPrecision 7 is invalid: at most 6",
            Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { CellPrecision = 8, BlockPrecision = 7 }.Validate()).Message);
        Assert.Contains("Alerts:MaxPositionAge 24.00:00:00 is invalid: with Alerts:MaxClockSkew (00:05:00) at most 24 days",
            Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { MaxPositionAge = TimeSpan.FromDays(24) }.Validate()).Message);
        Assert.Contains("Alerts:MaxClockSkew -00:00:01 is invalid: must be from 0 to 01:00:00",
            Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { MaxClockSkew = TimeSpan.FromSeconds(-1) }.Validate()).Message);
        Assert.Contains("Alerts:LateArrivalMaxWait 00:02:00 is invalid: must be shorter than Alerts:CaseActiveFor (00:02:00)",
            Assert.Throws<InvalidOperationException>(() => new Grains.AlertsOptions { CaseActiveFor = TimeSpan.FromMinutes(2), LateArrivalMaxWait = TimeSpan.FromMinutes(2) }.Validate()).Message);
        // The configuration reads a bare number as days: "DispatchRetryDelay=2" would retry a failed step after two days.
        var bare = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Alerts:DispatchRetryDelay"] = "2", ["Alerts:CaseActiveFor"] = "72" }).Build()
            .GetSection("Alerts").Get<Grains.AlertsOptions>()!;
        Assert.Equal("Alerts:DispatchRetryDelay 2.00:00:00 is invalid: must be more than 0 to 01:00:00 (write a time as hh:mm:ss, or d.hh:mm:ss; a bare number is read as days)",
            Assert.Throws<InvalidOperationException>(bare.Validate).Message);
        bare.DispatchRetryDelay = TimeSpan.FromSeconds(2);
        Assert.Contains("Alerts:CaseActiveFor 72.00:00:00 is invalid: must be more than 0 to 30.00:00:00",
            Assert.Throws<InvalidOperationException>(bare.Validate).Message);
        new Grains.AlertsOptions { MaxPositionAge = TimeSpan.FromDays(24) - TimeSpan.FromMinutes(5) }.Validate();
        new Grains.AlertsOptions { CellPrecision = 8, BlockPrecision = 6 }.Validate();
        new Grains.AlertsOptions { BlockPrecision = 5 }.Validate();
        new Grains.AlertsOptions { BlockPrecision = 1 }.Validate();
    }
}
