using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>
/// Cells keep fix times in a 32-bit window: recent fixes read back exactly, the window follows time forward, and a fix
/// that falls out of it reads inexactly only where every freshness test the product can ask answers the same.
/// </summary>
public sealed class FixWindowTests
{
    private const long Start = 1_796_000_000_000;
    private const long Day = 86_400_000;
    private const long Half = 1L << 31;

    [Fact]
    public void Fixes_within_the_window_read_back_exactly()
    {
        var window = new FixWindow();
        foreach (var fix in new[] { Start, Start - Half, Start + Half - 1, Start + 1, Start - 1 })
        {
            Assert.True(window.Fits(fix));
            Assert.Equal(fix, window.Read(window.Offset(fix)));
        }

        Assert.False(window.Fits(Start + Half + 1));
    }

    [Fact]
    public void A_fix_before_the_window_reads_as_its_start_and_a_moved_window_keeps_what_it_can()
    {
        var window = new FixWindow();
        var first = window.Offset(Start);
        Assert.Equal(Start - Half, window.Read(window.Offset(Start - Half - 5)));

        var later = Start + 30 * Day;
        Assert.False(window.Fits(later));
        var shift = window.MoveTo(later);
        Assert.Equal(later - Start, shift);
        Assert.Equal(later - Half, window.Read(FixWindow.Moved(first, shift)));
        var recent = window.Offset(later - Day);
        Assert.Equal(later - Day, window.Read(recent));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_directory_over_months_keeps_every_fix_the_newest_fix_rule_can_compare_with(int seed)
    {
        // The rule ignores a report whose fix is not newer than the stored one; the gateway's fixes are never older than
        // the retention (at most 24 days). So every stored fix from then on must read exactly, and an older one may read
        // later than it was but never as late as the oldest fix a report can carry.
        var random = new Random(seed);
        var table = new DirectoryTable(3);
        var block = Geo.Geohash.Encode(22.5, 114.0, 3).Packed;
        var exact = new Dictionary<long, long>();
        var now = Start;
        var retention = 24 * Day - 5 * 60_000;
        for (var step = 0; step < 20_000; step++)
        {
            now += random.NextInt64(0, Day / 8);
            var userId = random.Next(1, 2_000);
            // Mostly current reports; now and then a stored row far older (as a directory shard loads them).
            var fix = random.Next(20) == 0 ? now - random.NextInt64(0, 90 * Day) : now - random.NextInt64(0, 60_000);
            table.Set(userId, new DirectoryEntry(block, fix, false));
            exact[userId] = fix;
            if (step % 500 != 0) continue;
            var oldestReport = now - retention;
            foreach (var (user, expected) in exact)
            {
                var read = table[user].FixMs;
                if (expected >= oldestReport) Assert.Equal(expected, read);
                else Assert.True(read >= expected && read < oldestReport, $"user {user}: fix {expected} read as {read}, oldest report {oldestReport}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_table_over_months_answers_freshness_as_the_exact_times_do(int seed)
    {
        // Time runs forward over 120 days in uneven steps; users report now and then, some with clock skew, some with a
        // late (old) fix; every so often the cell collects with the product's cutoff. The table's answers must be the
        // exact ones: the same residents fresh, the same removed as stale.
        var random = new Random(seed);
        var table = new ResidentTable();
        var exact = new Dictionary<long, long>();
        var now = Start;
        var maxAge = random.Next(2) == 0 ? 7 * Day : 24 * Day - 5 * 60_000;
        var circle = Geo.GeoCircle.Create(0, 0, 1_000);
        var ids = new long[2_000];
        var distances = new float[2_000];
        for (var step = 0; step < 20_000; step++)
        {
            now += random.NextInt64(0, Day / 8);
            var userId = random.Next(1, 2_000);
            var fix = random.Next(10) switch
            {
                0 => now - random.NextInt64(0, 60 * Day), // a late report, maybe far too old (as a stored row can be)
                1 => now + random.NextInt64(0, 5 * 60_000), // clock skew
                _ => now - random.NextInt64(0, 60_000),
            };
            table.Upsert(new ResidentFix(userId, 0, 0, fix, false));
            exact[userId] = fix;

            if (step % 500 != 0) continue;
            var cutoff = now - maxAge;
            var nearEdge = new List<(long, double)>();
            var found = table.Within(circle, allInside: false, cutoff, ids, distances, nearEdge);
            Assert.Empty(nearEdge);
            Assert.Equal(exact.Where(e => e.Value >= cutoff).Select(e => e.Key).Order(), ids.Take(found).Order());
            var stale = exact.Count(e => e.Value < cutoff);
            Assert.Equal(stale, table.RemoveOlderThan(cutoff));
            foreach (var userId2 in exact.Where(e => e.Value < cutoff).Select(e => e.Key).ToList()) exact.Remove(userId2);
            Assert.Equal(exact.Count, table.Count);
            // What remains reads back exactly: every fresh fix is inside the window.
            for (var slot = 0; slot < table.Count; slot++) Assert.Equal(exact[table[slot].UserId], table[slot].FixUnixMs);
        }
    }
}
