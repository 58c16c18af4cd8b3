using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Alerts.Tests;

/// <summary>The write-behind on both engines: many transactions (in parallel on PostgreSQL), and nothing lost when a write fails.</summary>
public sealed class ResidentWriterTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Every_change_is_written_once_and_a_failed_write_keeps_them_all_for_the_next(string provider)
    {
        await using var engine = ResidentStoreTests.Engine(provider);
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        var writer = NewWriter(store);
        var t = AlertsSilo.Epoch.ToUnixTimeMilliseconds();
        var random = new Random(5);
        // 70,000 users: four transactions of at most 20,000. Each user's second change is the one that must win.
        var final = new Dictionary<long, ResidentFix>();
        for (var round = 0; round < 2; round++)
        {
            for (long user = 1; user <= 70_000; user++)
            {
                var fix = new ResidentFix(user, random.NextDouble() * 170 - 85, random.NextDouble() * 360 - 180, t + round, false);
                writer.Upsert([(Geohash.Encode(fix.Latitude, fix.Longitude, 5), fix)]);
                final[user] = fix;
            }
        }

        // The table is away: every transaction fails, and every change waits for the next write.
        await ExecuteAsync(engine, "ALTER TABLE residents RENAME TO residents_away");
        await Assert.ThrowsAnyAsync<Exception>(writer.FlushAsync);
        Assert.Equal(70_000, writer.Pending);
        await ExecuteAsync(engine, "ALTER TABLE residents_away RENAME TO residents");

        await writer.FlushAsync();

        Assert.Equal(0, writer.Pending);
        Assert.Equal((70_000L, 0L), await store.CountAsync());
        var stored = await store.LoadBlocksAsync([.. final.Values.Take(500).Select(f => Geohash.Encode(f.Latitude, f.Longitude, 5))]);
        foreach (var fix in final.Values.Take(500))
            Assert.Contains(fix, stored[Geohash.Encode(fix.Latitude, fix.Longitude, 5).Packed]);
    }

    [Fact]
    public async Task A_departure_that_comes_while_the_move_fails_to_be_written_does_not_take_its_place()
    {
        await using var engine = ResidentStoreTests.Engine("postgres");
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        var writer = NewWriter(store);
        var t = AlertsSilo.Epoch.ToUnixTimeMilliseconds();
        var (a, b) = (new ResidentFix(7, 22.54, 114.05, t, false), new ResidentFix(7, 23.10, 113.30, t + 60_000, false));
        var (cellA, cellB) = (Geohash.Encode(a.Latitude, a.Longitude, 5), Geohash.Encode(b.Latitude, b.Longitude, 5));
        writer.Upsert([(cellA, a)]);
        await writer.FlushAsync();

        // The user moves to B, and B's row cannot be written: a constraint, held back until the flush has taken the move.
        writer.Upsert([(cellB, b)]);
        await using var blocker = await engine.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync($"ALTER TABLE residents ADD CONSTRAINT not_b CHECK (cell <> {cellB.OrderKey}) NOT VALID", transaction: transaction);
        var failing = writer.FlushAsync();
        // Meanwhile the move's departure from A (same silo, so same writer) arrives.
        writer.Remove(cellA, 7);
        await transaction.CommitAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => failing);

        // The position waits for the next write, not the departure (which would delete the row at A and leave none).
        Assert.True(writer.TryGetUnwritten(7, out var waiting));
        Assert.Equal(b, waiting);
        await ExecuteAsync(engine, "ALTER TABLE residents DROP CONSTRAINT not_b");
        await writer.FlushAsync();
        Assert.Empty(await store.LoadCellAsync(cellA));
        Assert.Equal([b], await store.LoadCellAsync(cellB));
    }

    [Fact]
    public async Task A_user_erased_while_their_position_is_being_written_is_not_written_back()
    {
        await using var engine = ResidentStoreTests.Engine("postgres");
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        var writer = NewWriter(store);
        var fix = new ResidentFix(7, 23.10, 113.30, AlertsSilo.Epoch.ToUnixTimeMilliseconds(), false);
        var cell = Geohash.Encode(fix.Latitude, fix.Longitude, 5);
        writer.Upsert([(cell, fix)]);

        // The write under way holds the position and will fail (a constraint held back until the erasure has begun).
        await using var blocker = await engine.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync($"ALTER TABLE residents ADD CONSTRAINT not_there CHECK (cell <> {cell.OrderKey}) NOT VALID", transaction: transaction);
        var failing = writer.FlushAsync();
        var forgetting = writer.ForgetAsync(7);
        Assert.False(forgetting.IsCompleted);
        await transaction.CommitAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => failing);

        // The erasure's wait ends with the next write, which holds nothing of the user's: the failed one was not put back.
        await forgetting;
        Assert.False(writer.TryGetUnwritten(7, out _));
        await ExecuteAsync(engine, "ALTER TABLE residents DROP CONSTRAINT not_there");
        await writer.FlushAsync();
        Assert.Equal((0L, 0L), await store.CountAsync());
    }

    [Fact]
    public async Task Waiting_for_the_next_write_asks_for_none_and_ends_with_the_write_that_comes()
    {
        await using var engine = ResidentStoreTests.Engine("sqlite");
        var store = new ResidentStore(engine);
        await new ProductSchema(engine).EnsureAsync(5);
        // A flush interval no test waits for: only FlushAsync writes.
        var writer = NewWriter(store, new AlertsOptions { ResidentFlushInterval = TimeSpan.FromHours(1) });
        var fix = new ResidentFix(9, 22.54, 114.05, AlertsSilo.Epoch.ToUnixTimeMilliseconds(), false);
        writer.Upsert([(Geohash.Encode(fix.Latitude, fix.Longitude, 5), fix)]);

        var next = writer.WhenNextWrittenAsync();
        Assert.False(next.IsCompleted);
        Assert.Equal(1, writer.Pending);
        await writer.FlushAsync();
        await next;
        Assert.Equal(0, writer.Pending);
        Assert.Equal((1L, 0L), await store.CountAsync());
    }

    // A silo's writer alone: its own index of cells, and the product's settings unless given others.
    private static ResidentWriter NewWriter(ResidentStore store, AlertsOptions? options = null) =>
        new(store, new ResidentCellIndex(authoritative: true, blockPrecision: 3), Options.Create(options ?? new AlertsOptions()), TimeProvider.System, NullLogger<ResidentWriter>.Instance);

    private static async Task ExecuteAsync(StoreEngine engine, string sql)
    {
        await using var connection = await engine.OpenAsync();
        await connection.ExecuteAsync(sql);
    }
}
