using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>The residency's compact tables (cells' residents, directory shards) behave like plain dictionaries: growth, removal, moves, re-adds, purges.</summary>
public sealed class CompactTableTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 42, 2026 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_cell_table_matches_a_dictionary_through_random_upserts_removals_and_opt_outs(int seed)
    {
        var random = new Random(seed);
        var table = new ResidentTable();
        var model = new Dictionary<long, ResidentFix>();
        var pool = Pool(random, 3_000);
        for (var step = 0; step < 60_000; step++)
        {
            var userId = pool[random.Next(pool.Length)];
            switch (random.Next(10))
            {
                case < 5:
                    // Fix times within 20 days of each other: all inside the table's 32-bit window (FixWindowTests tests its edges).
                    var fix = new ResidentFix(userId, random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180, Now + random.NextInt64(-Days(10), Days(10)), random.Next(2) == 0);
                    table.Upsert(fix);
                    // The table keeps the position's grid point (in the same cell, within 1.05 cm).
                    var grid = Geo.GridPoint.Of(fix.Latitude, fix.Longitude);
                    model[userId] = fix with { Latitude = grid.Latitude, Longitude = grid.Longitude };
                    break;
                case < 8:
                    Assert.Equal(model.Remove(userId), table.Remove(userId));
                    break;
                case 8 when random.Next(100) == 0:
                    // The purge of stale positions, now and then (most cutoffs find nobody, as most collections do).
                    var cutoff = Now + random.NextInt64(-Days(11), -Days(8));
                    var stale = model.Where(m => m.Value.FixUnixMs < cutoff).Select(m => m.Key).ToList();
                    Assert.Equal(stale.Count, table.RemoveOlderThan(cutoff));
                    foreach (var gone in stale) model.Remove(gone);
                    break;
                default:
                    var optedOut = random.Next(2) == 0;
                    var known = model.TryGetValue(userId, out var held);
                    Assert.Equal(known, table.TryGet(userId, out var read));
                    Assert.Equal(held, read);
                    Assert.Equal(known, table.SetOptOut(userId, optedOut));
                    if (known) model[userId] = held with { OptedOut = optedOut };
                    break;
            }

            if (step % 5_000 == 0) AssertSame(model, table);
        }

        AssertSame(model, table);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_directory_table_matches_a_dictionary_through_random_sets_adds_and_removals(int seed)
    {
        var random = new Random(seed);
        var precision = 1 + seed % DirectoryTable.MaxBlockPrecision;
        var table = new DirectoryTable(precision);
        var model = new Dictionary<long, DirectoryEntry>();
        var pool = Pool(random, 3_000);
        for (var step = 0; step < 60_000; step++)
        {
            var userId = pool[random.Next(pool.Length)];
            switch (random.Next(10))
            {
                case < 4:
                    // Any block at the table's precision (the corners of the world too) reads back exactly.
                    var block = Geo.Geohash.Encode(random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180, precision).Packed;
                    // A user who is nowhere keeps no fix time (it reads as 0); a resident's reads back exactly within 20 days.
                    var nowhere = random.Next(50) == 0;
                    var entry = new DirectoryEntry(nowhere ? 0 : block, nowhere ? 0 : Now + random.NextInt64(-Days(10), Days(10)), random.Next(2) == 0);
                    table.Set(userId, entry);
                    model[userId] = entry;
                    break;
                case < 6:
                    // The empty entry (a new user rolled back after a failed report): known, and nowhere.
                    table.Set(userId, default);
                    model[userId] = default;
                    break;
                case < 8:
                    Assert.Equal(model.Remove(userId), table.Remove(userId));
                    break;
                default:
                    Assert.Equal(model.TryGetValue(userId, out var expected), table.TryGet(userId, out var actual));
                    Assert.Equal(expected, actual);
                    break;
            }

            Assert.Equal(model.Count, table.Count);
        }

        foreach (var (userId, entry) in model) Assert.Equal(entry, table[userId]);
        Assert.Equal(default, table[-12345]);
    }

    [Fact]
    public void A_table_grows_to_a_hundred_thousand_users_empties_in_random_order_and_fills_again()
    {
        var table = new ResidentTable();
        var ids = Enumerable.Range(1, 100_000).Select(i => (long)i).ToArray();
        foreach (var id in ids) table.Upsert(new ResidentFix(id, 1, 2, Now + id, false));
        Assert.Equal(ids.Length, table.Count);

        new Random(7).Shuffle(ids);
        foreach (var id in ids) Assert.True(table.Remove(id), $"user {id} was lost");
        Assert.Equal(0, table.Count);
        Assert.False(table.Remove(ids[0]));

        foreach (var id in ids.Take(1_000)) table.Upsert(new ResidentFix(id * 1_000_003, 3, 4, Now - id, true));
        Assert.Equal(1_000, table.Count);
        Assert.Equal(ids.Take(1_000).Select(id => id * 1_000_003).Order(), Enumerable.Range(0, table.Count).Select(s => table[s].UserId).Order());
    }

    [Fact]
    public void Ids_that_share_their_low_bits_do_not_pile_up_in_one_probe_run()
    {
        // Multiples of 2^20 all hash alike under a plain modulo; every one must still be found and removed.
        var table = new DirectoryTable(3);
        var ids = Enumerable.Range(1, 20_000).Select(i => (long)i << 20).ToList();
        foreach (var id in ids) table.Set(id, new DirectoryEntry(Geo.Geohash.Encode(1, 2, 3).Packed, id, false));
        foreach (var id in ids.Where((_, i) => i % 2 == 0)) Assert.True(table.Remove(id));
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) Assert.Equal(i % 2 == 1, table.TryGet(id, out _));
    }

    [Fact]
    public void An_index_refuses_a_slot_its_entries_cannot_address_and_takes_the_last_one_they_can()
    {
        var index = new UserSlotIndex();
        var error = Assert.Throws<InvalidOperationException>(() => index.Add(7, UserSlotIndex.MaxSlots, new OneId(7)));
        Assert.Equal("a table holds at most 67,108,863 users", error.Message);
        Assert.Equal(0, index.Count);
        Assert.Equal(-1, index.Find(7, new OneId(7)));

        // The highest slot an entry can hold (26 bits, less the one that marks a free entry) reads back as itself.
        index.Add(7, UserSlotIndex.MaxSlots - 1, new OneId(7));
        Assert.Equal(UserSlotIndex.MaxSlots - 1, index.Find(7, new OneId(7)));
    }

    // An owner whose every slot holds the same user: enough for an index of one.
    private readonly struct OneId(long userId) : ISlotIds
    {
        public long IdAt(int slot) => userId;
    }

    [Fact]
    public void Bad_rows_are_refused_with_the_reason()
    {
        var cells = new ResidentTable();
        Assert.Contains("must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => cells.Upsert(new ResidentFix(0, 1, 2, Now, false))).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => cells.Upsert(new ResidentFix(-5, 1, 2, Now, false))).Message);
        Assert.Equal(0, cells.Count);

        var directory = new DirectoryTable(3);
        var wrongPrecision = Geo.Geohash.Encode(1, 2, 4).Packed;
        Assert.Contains("not a geohash at the directory's precision 3", Assert.Throws<ArgumentException>(() => directory.Set(7, new DirectoryEntry(wrongPrecision, 1, false))).Message);
        Assert.False(directory.TryGet(7, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirectoryTable(DirectoryTable.MaxBlockPrecision + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirectoryTable(0));
    }

    [Fact]
    public void A_big_table_grows_a_page_at_a_time_and_keeps_every_row()
    {
        var table = new DirectoryTable(5);
        var block = Geo.Geohash.Encode(22.5, 114.0, 5).Packed;
        var count = PagedArray<long>.PageSize * 3 + 17;
        table.EnsureCapacity(10);
        for (long id = 1; id <= count; id++) table.Set(id, new DirectoryEntry(block, id * 3, id % 7 == 0));
        for (long id = 1; id <= count; id++) Assert.Equal(new DirectoryEntry(block, id * 3, id % 7 == 0), table[id]);
        Assert.Equal(count, table.Count);
    }

    // Sequential ids, random ones, and the extremes a signed 64-bit id can take.
    private static long[] Pool(Random random, int size) =>
        [.. Enumerable.Range(1, size / 2).Select(i => (long)i), .. Enumerable.Range(0, size / 2).Select(_ => random.NextInt64(1, long.MaxValue)), long.MaxValue, 1L << 40];

    // 2026-11-29 in Unix milliseconds, and days in milliseconds.
    private const long Now = 1_796_000_000_000;

    private static long Days(int days) => days * 86_400_000L;

    private static void AssertSame(Dictionary<long, ResidentFix> model, ResidentTable table)
    {
        Assert.Equal(model.Count, table.Count);
        var held = Enumerable.Range(0, table.Count).Select(slot => table[slot]).ToDictionary(f => f.UserId);
        Assert.Equal(model.Count, held.Count);
        foreach (var (userId, fix) in model) Assert.Equal(fix, held[userId]);
    }
}
