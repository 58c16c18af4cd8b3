using Alerts.Grains;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Dapper;

namespace Alerts.Tests;

/// <summary>The residents table on both engines: newer fixes win, removals only delete a row that still names the cell left.</summary>
public sealed class ResidentStoreTests
{
    private static readonly long T = AlertsSilo.Epoch.ToUnixTimeMilliseconds();

    private static (Geohash, ResidentFix) At(string cell, long userId, long fixMs) => (Geohash.Parse(cell), new ResidentFix(userId, 22.5, 114.0, fixMs, false));

    private static (Geohash, long) Gone(string cell, long userId) => (Geohash.Parse(cell), userId);

    /// <summary>The engine on a fresh store of the provider.</summary>
    public static StoreEngine Engine(string provider)
    {
        var store = StorageKind.Fresh(provider);
        return StoreEngine.For(store.Provider, store.ConnectionString);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Newer_fixes_win_and_a_removal_only_deletes_a_row_that_still_names_the_cell(string provider)
    {
        await using var engine = Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        await store.FlushResidentsAsync([At("ws100", 1, T), At("ws100", 2, T), At("ws101", 3, T)], []);

        // User 1's older fix is ignored; user 2's newer one moves the row; user 3 was never in ws100.
        await store.FlushResidentsAsync([At("ws102", 1, T - 1_000), At("ws101", 2, T + 1_000)], [Gone("ws100", 3)]);
        // User 1 still names ws100, so it goes; user 2's row names ws101 now, so the stale removal leaves it.
        await store.FlushResidentsAsync([], [Gone("ws100", 1), Gone("ws100", 2)]);

        Assert.Empty(await store.LoadCellAsync(Geohash.Parse("ws100")));
        Assert.Empty(await store.LoadCellAsync(Geohash.Parse("ws102")));
        var ws101 = (await store.LoadCellAsync(Geohash.Parse("ws101"))).OrderBy(r => r.UserId).ToList();
        Assert.Equal([2L, 3L], ws101.Select(r => r.UserId));
        Assert.Equal(T + 1_000, ws101[0].FixUnixMs);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_first_fix_for_a_user_who_has_a_row_after_all_is_written_as_any_other(string provider)
    {
        await using var engine = Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        await store.FlushResidentsAsync([At("ws100", 1, T), At("ws100", 2, T), At("ws100", 9, T)], []);

        // Only first fixes: plain inserts.
        await store.FlushResidentsAsync([First("ws103", 4, T), First("ws103", 5, T)], []);
        // Users 1 and 2 are marked first but have rows (a directory reloaded while a write was in flight): the newer fix
        // still wins, the older is still ignored, user 3 still goes in, and the same transaction's removal still runs.
        await store.FlushResidentsAsync([First("ws101", 1, T + 1_000), First("ws101", 2, T - 1_000), First("ws102", 3, T)], [Gone("ws100", 9)]);
        // First fixes with a move in the same write (on PostgreSQL one upsert takes them all).
        await store.FlushResidentsAsync([At("ws103", 5, T + 1_000), First("ws103", 6, T)], []);

        Assert.Equal([2L], (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId));
        Assert.Equal([(1L, T + 1_000)], (await store.LoadCellAsync(Geohash.Parse("ws101"))).Select(r => (r.UserId, r.FixUnixMs)));
        Assert.Equal([3L], (await store.LoadCellAsync(Geohash.Parse("ws102"))).Select(r => r.UserId));
        Assert.Equal([(4L, T), (5L, T + 1_000), (6L, T)], (await store.LoadCellAsync(Geohash.Parse("ws103"))).OrderBy(r => r.UserId).Select(r => (r.UserId, r.FixUnixMs)));

        // A large write whose one wrong hint comes late in the stream (PostgreSQL's COPY fails only when it meets it).
        await store.FlushResidentsAsync([At("ws104", 7_500, T + 5_000)], []);
        await store.FlushResidentsAsync(Enumerable.Range(5_000, 5_000).Select(id => First("ws104", id, T)).ToList(), []);
        var ws104 = await store.LoadCellAsync(Geohash.Parse("ws104"));
        Assert.Equal(5_000, ws104.Count);
        Assert.Equal(T + 5_000, ws104.Single(r => r.UserId == 7_500).FixUnixMs);
        Assert.All(ws104.Where(r => r.UserId != 7_500), r => Assert.Equal(T, r.FixUnixMs));
    }

    // Sessions of this test's database waiting for a lock (other tests share the server, each with its own database).
    private const string WaitingForLocks = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";

    [Fact]
    public async Task Writers_of_two_silos_moving_users_across_their_blocks_both_commit_without_deadlocking()
    {
        // Two silos' writers: X writes block ws100, Y block ws101. User 1 moves ws101 -> ws100 and user 2 the other way,
        // so X upserts 1 and removes 2 while Y upserts 2 and removes 1; users 3 and 4 only keep each writer waiting
        // (a third transaction holds their rows) until both hold the row they upserted first.
        await using var engine = Engine("postgres");
        await new ProductSchema(engine).EnsureAsync(5);
        var (x, y) = (new ResidentStore(engine), new ResidentStore(engine));
        await x.FlushResidentsAsync([At("ws101", 1, T), At("ws100", 2, T), At("ws100", 3, T), At("ws101", 4, T)], []);
        await using var holder = await engine.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT user_id FROM residents WHERE user_id IN (3, 4) FOR UPDATE", transaction: holding);

        var writingX = x.FlushResidentsAsync([At("ws100", 1, T + 1_000), At("ws100", 3, T + 1_000)], [Gone("ws100", 2)]);
        var writingY = y.FlushResidentsAsync([At("ws101", 2, T + 1_000), At("ws101", 4, T + 1_000)], [Gone("ws101", 1)]);
        await using (var watcher = await engine.OpenAsync())
            await Eventually.UntilAsync(async () => await watcher.ExecuteScalarAsync<long>(WaitingForLocks) == 2,
                TimeSpan.FromSeconds(30), () => "both writers to wait for the held rows");
        await holding.RollbackAsync();

        // Each writer's removal meets the other's uncommitted move of that user: waiting for it there deadlocked (40P01).
        await Task.WhenAll(writingX, writingY);
        Assert.Equal([1L, 3L], (await x.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId).Order());
        Assert.Equal([2L, 4L], (await x.LoadCellAsync(Geohash.Parse("ws101"))).Select(r => r.UserId).Order());
    }

    [Fact]
    public async Task A_writer_with_a_first_fix_among_its_moves_takes_its_rows_in_user_order_so_another_writer_cannot_deadlock_it()
    {
        // Writer X holds user 9 as a first fix (its directory had no position) and moves user 3; writer Y moves both.
        // A third transaction holds user 3 until both wait there, Y first, so Y takes it first and comes to user 9 next.
        await using var engine = Engine("postgres");
        await new ProductSchema(engine).EnsureAsync(5);
        var (x, y) = (new ResidentStore(engine), new ResidentStore(engine));
        await x.FlushResidentsAsync([At("ws100", 3, T)], []);
        await using var holder = await engine.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT user_id FROM residents WHERE user_id = 3 FOR UPDATE", transaction: holding);
        await using var watcher = await engine.OpenAsync();

        var writingY = y.FlushResidentsAsync([At("ws101", 3, T + 2_000), At("ws101", 9, T + 2_000)], []);
        await Eventually.UntilAsync(async () => await watcher.ExecuteScalarAsync<long>(WaitingForLocks) == 1, TimeSpan.FromSeconds(30), () => "writer Y to wait");
        var writingX = x.FlushResidentsAsync([At("ws102", 3, T + 1_000), First("ws102", 9, T + 1_000)], []);
        await Eventually.UntilAsync(async () => await watcher.ExecuteScalarAsync<long>(WaitingForLocks) == 2, TimeSpan.FromSeconds(30), () => "writer X to wait");
        await holding.RollbackAsync();

        // Had X inserted user 9 before coming to user 3 (first fixes by COPY, ahead of the moves), Y would wait for X's
        // user 9 while X waited for Y's user 3 (40P01).
        await Task.WhenAll(writingX, writingY);
        Assert.Equal([(3L, T + 2_000), (9L, T + 2_000)], (await x.LoadCellAsync(Geohash.Parse("ws101"))).Select(r => (r.UserId, r.FixUnixMs)).Order());
        Assert.Empty(await x.LoadCellAsync(Geohash.Parse("ws102")));
    }

    [Fact]
    public async Task A_removal_whose_row_another_transaction_holds_is_made_once_that_one_ends()
    {
        await using var engine = Engine("postgres");
        await new ProductSchema(engine).EnsureAsync(5);
        var store = new ResidentStore(engine);
        await store.FlushResidentsAsync([At("ws100", 1, T), At("ws100", 2, T), At("ws100", 3, T)], []);
        await using var holder = await engine.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT user_id FROM residents WHERE user_id = 2 FOR UPDATE", transaction: holding);

        // User 1's removal goes through at once; user 2's row is held, so the write waits for it, after committing the rest.
        var writing = store.FlushResidentsAsync([At("ws100", 3, T + 1_000)], [Gone("ws100", 1), Gone("ws100", 2)]);
        await using (var watcher = await engine.OpenAsync())
        {
            await Eventually.UntilAsync(async () => await watcher.ExecuteScalarAsync<long>(WaitingForLocks) == 1,
                TimeSpan.FromSeconds(30), () => "the write to wait for the held row");
            Assert.Equal([(2L, T), (3L, T + 1_000)], (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => (r.UserId, r.FixUnixMs)).Order());
        }

        Assert.False(writing.IsCompleted);
        await holding.CommitAsync();
        await writing;
        Assert.Equal([3L], (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => r.UserId));
    }

    [Fact]
    public async Task The_purge_passes_over_a_stale_row_a_writer_holds_instead_of_deadlocking_with_it()
    {
        // Stale users 1 and 3 report again; the writer upserts 1, 2 and 3 in user order, and a third transaction holds
        // user 2 (fresh) so the writer waits there holding user 1. Rows lie in the table as 3, 1, 2: the purge meets
        // user 3 first, then user 1, held by the writer, which in turn comes to user 3 next.
        await using var engine = Engine("postgres");
        await new ProductSchema(engine).EnsureAsync(5);
        var store = new ResidentStore(engine);
        var (stale, cutoff, now) = (T - 60_000, DateTimeOffset.FromUnixTimeMilliseconds(T - 1), DateTimeOffset.FromUnixTimeMilliseconds(T));
        await store.FlushResidentsAsync([At("ws100", 3, stale)], []);
        await store.FlushResidentsAsync([At("ws100", 1, stale), At("ws100", 2, T)], []);
        await using var holder = await engine.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT user_id FROM residents WHERE user_id = 2 FOR UPDATE", transaction: holding);
        var writing = store.FlushResidentsAsync([At("ws100", 1, T + 1_000), At("ws100", 2, T + 1_000), At("ws100", 3, T + 1_000)], []);
        await using var watcher = await engine.OpenAsync();
        await Eventually.UntilAsync(async () => await watcher.ExecuteScalarAsync<long>(WaitingForLocks) == 1,
            TimeSpan.FromSeconds(30), () => "the writer to wait for the held row");

        // Waiting for user 1 there was a deadlock once the writer went on to user 3 (40P01 after a second).
        var purging = store.PurgeStaleIfDueAsync(cutoff, now, TimeSpan.FromHours(1));
        await Eventually.UntilAsync(async () => purging.IsCompleted || await watcher.ExecuteScalarAsync<long>(WaitingForLocks) == 2,
            TimeSpan.FromSeconds(30), () => "the purge to end or wait");
        await holding.RollbackAsync();

        Assert.Equal(1, await purging);
        await writing;
        Assert.Equal([(1L, T + 1_000), (2L, T + 1_000), (3L, T + 1_000)], (await store.LoadCellAsync(Geohash.Parse("ws100"))).Select(r => (r.UserId, r.FixUnixMs)).Order());
        // Nothing stale is left behind for the next pass.
        Assert.Equal(0, await store.PurgeStaleIfDueAsync(cutoff, now + TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
    }

    private static (Geohash, ResidentFix) First(string cell, long userId, long fixMs) => (Geohash.Parse(cell), new ResidentFix(userId, 22.5, 114.0, fixMs, false, FirstFix: true));

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_block_loads_exactly_the_rows_of_the_cells_that_start_with_it(string provider)
    {
        await using var engine = Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        // Inside ws1: every base32 character in the fourth and the fifth place (the range must hold under the
        // database's own collation). Outside: its neighbours in text order, and a longer text that starts alike.
        var inside = Geohash.Alphabet.Select(c => "ws1" + c + Geohash.Alphabet[Geohash.Alphabet.Length - 1 - Geohash.Alphabet.IndexOf(c)]).ToList();
        var outside = new[] { "ws0zz", "ws200", "wr100", "ws2", "w0000", "ws0" };
        var rows = inside.Concat(outside).Select((cell, i) => At(cell, i + 1, T)).ToList();
        await store.FlushResidentsAsync(rows, []);

        var blocks = await store.LoadBlocksAsync([Geohash.Parse("ws1"), Geohash.Parse("ws1b"), Geohash.Parse("ws9")]);

        Assert.Equal(Enumerable.Range(1, inside.Count).Select(i => (long)i), blocks[Geohash.Parse("ws1").Packed].Select(r => r.UserId).Order());
        Assert.Equal([inside.IndexOf(inside.Single(c => c.StartsWith("ws1b", StringComparison.Ordinal))) + 1L], blocks[Geohash.Parse("ws1b").Packed].Select(r => r.UserId));
        Assert.Empty(blocks[Geohash.Parse("ws9").Packed]);
        // A cell is a block of one.
        Assert.Equal([1L], (await store.LoadCellAsync(Geohash.Parse(inside[0]))).Select(r => r.UserId));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Cells_that_load_at_the_same_time_share_queries_and_each_gets_exactly_its_own_residents(string provider)
    {
        await using var engine = Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        // 1,200 cells (more than one query takes), every third one empty, residents numbered by cell.
        var cells = Enumerable.Range(0, 1_200).Select(i => Geohash.Encode(-60 + i * 0.1, 100 + i * 0.05, 5)).ToList();
        var rows = cells.SelectMany((cell, i) => i % 3 == 0 ? [] : Enumerable.Range(0, i % 4 + 1).Select(k => (cell, new ResidentFix(i * 10L + k + 1, 1.5, 2.5, T + i, k == 1))))
            .ToList();
        await store.FlushResidentsAsync(rows, []);
        await store.SetOptOutAsync(12, true);

        var loads = new CellLoads(store);
        var loaded = await Task.WhenAll(cells.Select(loads.LoadAsync));

        for (var i = 0; i < cells.Count; i++)
        {
            var expected = rows.Where(r => r.cell == cells[i]).Select(r => r.Item2 with { OptedOut = r.Item2.UserId == 12 }).OrderBy(f => f.UserId);
            Assert.Equal(expected, loaded[i].OrderBy(f => f.UserId));
        }
    }

    [Fact]
    public async Task A_failed_batch_load_fails_each_waiting_cell_with_the_store_error()
    {
        // No schema: the query fails, and every cell of the batch sees that failure rather than hanging or getting nothing.
        await using var engine = Engine("sqlite");
        var loads = new CellLoads(new ResidentStore(engine));
        var waiting = Enumerable.Range(0, 10).Select(i => loads.LoadAsync(Geohash.Encode(10 + i, 10, 5))).ToList();
        foreach (var load in waiting) await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => load);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_large_flush_writes_every_row_with_its_values(string provider)
    {
        await using var engine = Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        // Users in descending order: the store must not depend on the order it is handed.
        var rows = Enumerable.Range(0, 5_000).Select(i => (Geohash.Parse("ws" + (i % 7).ToString("000")), new ResidentFix(10_000 - i, -89.5 + i * 0.01, 179.9 - i * 0.02, T + i, false))).ToList();
        await store.FlushResidentsAsync(rows, []);

        var stored = new List<ResidentFix>();
        for (var c = 0; c < 7; c++) stored.AddRange(await store.LoadCellAsync(Geohash.Parse("ws" + c.ToString("000"))));
        Assert.Equal(rows.Select(r => r.Item2).OrderBy(f => f.UserId), stored.OrderBy(f => f.UserId));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task One_shard_read_alone_matches_its_part_of_the_one_pass_read(string provider)
    {
        await using var engine = Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        await store.FlushResidentsAsync(Enumerable.Range(1, 300).Select(i => At("ws10" + (i % 3), i, T + i)).ToList(), []);
        foreach (var userId in new long[] { 5, 6, 1_001 }) await store.SetOptOutAsync(userId, true); // 1,001 has no position

        const int shards = 8;
        var parts = await store.LoadDirectoryAsync(shards);
        Assert.Equal(301, parts.Sum(p => p.Count));
        for (var shard = 0; shard < shards; shard++)
        {
            Assert.All(parts[shard], row => Assert.Equal(shard, row.UserId % shards));
            Assert.Equal(parts[shard].OrderBy(r => r.UserId), (await store.LoadShardAsync(shard, shards)).OrderBy(r => r.UserId));
        }

        var all = parts.SelectMany(p => p).ToDictionary(r => r.UserId);
        Assert.Equal(new DirectoryRow(5, Geohash.Parse("ws102").Packed, T + 5, true), all[5]);
        Assert.Equal(new DirectoryRow(7, Geohash.Parse("ws101").Packed, T + 7, false), all[7]);
        Assert.Equal(new DirectoryRow(1_001, 0, 0, true), all[1_001]);
    }
}
