using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>The residency's compact tables (cells' residents, directory shards) behave like plain dictionaries: growth, removal, moves, re-adds.</summary>
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
                    var fix = new ResidentFix(userId, random.NextDouble() * 180 - 90, random.NextDouble() * 360 - 180, random.NextInt64(1, long.MaxValue / 2), random.Next(2) == 0);
                    table.Upsert(fix);
                    model[userId] = fix;
                    break;
                case < 8:
                    Assert.Equal(model.Remove(userId), table.Remove(userId));
                    break;
                default:
                    var optedOut = random.Next(2) == 0;
                    var known = model.TryGetValue(userId, out var held);
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
        var table = new DirectoryTable();
        var model = new Dictionary<long, DirectoryEntry>();
        var pool = Pool(random, 3_000);
        for (var step = 0; step < 60_000; step++)
        {
            var userId = pool[random.Next(pool.Length)];
            switch (random.Next(10))
            {
                case < 4:
                    var entry = new DirectoryEntry(random.NextInt64(1, long.MaxValue), random.NextInt64(), random.Next(2) == 0);
                    table.Set(userId, entry);
                    model[userId] = entry;
                    break;
                case < 6:
                    table.TryAdd(userId);
                    model.TryAdd(userId, default);
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
        foreach (var id in ids) table.Upsert(new ResidentFix(id, 1, 2, id, false));
        Assert.Equal(ids.Length, table.Count);

        new Random(7).Shuffle(ids);
        foreach (var id in ids) Assert.True(table.Remove(id), $"user {id} was lost");
        Assert.Equal(0, table.Count);
        Assert.False(table.Remove(ids[0]));

        foreach (var id in ids.Take(1_000)) table.Upsert(new ResidentFix(id * 1_000_003, 3, 4, id, true));
        Assert.Equal(1_000, table.Count);
        Assert.Equal(ids.Take(1_000).Select(id => id * 1_000_003).Order(), Enumerable.Range(0, table.Count).Select(s => table[s].UserId).Order());
    }

    [Fact]
    public void Ids_that_share_their_low_bits_do_not_pile_up_in_one_probe_run()
    {
        // Multiples of 2^20 all hash alike under a plain modulo; every one must still be found and removed.
        var table = new DirectoryTable();
        var ids = Enumerable.Range(1, 20_000).Select(i => (long)i << 20).ToList();
        foreach (var id in ids) table.Set(id, new DirectoryEntry(id, id, false));
        foreach (var id in ids.Where((_, i) => i % 2 == 0)) Assert.True(table.Remove(id));
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) Assert.Equal(i % 2 == 1, table.TryGet(id, out _));
    }

    // Sequential ids, random ones, and the extremes a signed 64-bit id can take.
    private static long[] Pool(Random random, int size) =>
        [.. Enumerable.Range(1, size / 2).Select(i => (long)i), .. Enumerable.Range(0, size / 2).Select(_ => random.NextInt64(1, long.MaxValue)), long.MaxValue, 1L << 40];

    private static void AssertSame(Dictionary<long, ResidentFix> model, ResidentTable table)
    {
        Assert.Equal(model.Count, table.Count);
        var held = Enumerable.Range(0, table.Count).Select(slot => table[slot]).ToDictionary(f => f.UserId);
        Assert.Equal(model.Count, held.Count);
        foreach (var (userId, fix) in model) Assert.Equal(fix, held[userId]);
    }
}
