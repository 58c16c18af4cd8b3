using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// The compact tables' own account of their heap bytes (what the bench's memory split adds up) against the runtime:
/// exactly what constructing one allocates, and within a percent of what the collector finds live after growth and
/// removals. The second runs alone: other tests' objects would move the live-heap readings.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class HeapBytesTests
{
    [Fact]
    public void A_new_table_and_index_account_for_exactly_what_constructing_them_allocates()
    {
        // Once first: static initialisers allocate on first use.
        GC.KeepAlive((new ResidentTable(), new DirectoryTable(5), new UserSlotIndex()));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var residents = new ResidentTable();
        Assert.Equal(GC.GetAllocatedBytesForCurrentThread() - before, residents.HeapBytes);

        before = GC.GetAllocatedBytesForCurrentThread();
        var directory = new DirectoryTable(5);
        Assert.Equal(GC.GetAllocatedBytesForCurrentThread() - before, directory.HeapBytes);

        before = GC.GetAllocatedBytesForCurrentThread();
        var index = new UserSlotIndex();
        Assert.Equal(GC.GetAllocatedBytesForCurrentThread() - before, index.HeapBytes);
    }

    [Fact]
    public void Grown_and_shrunk_tables_account_for_what_the_collector_finds_live()
    {
        var random = new Random(2026);
        var before = ManagedHeap.LiveBytes();
        var cells = new List<ResidentTable>();
        var shards = new List<DirectoryTable>();
        for (var c = 0; c < 3_000; c++)
        {
            // Sizes from one row to several pages, some emptied again: small tables' grown page and big ones' page list.
            var table = new ResidentTable();
            var rows = random.Next(4) == 0 ? random.Next(1, 12_000) : random.Next(1, 400);
            for (var i = 1; i <= rows; i++) table.Upsert(new ResidentFix(c * 100_000L + i, 22.5, 114.0, 1_800_000_000_000, false));
            for (var i = 1; i <= rows; i += 3) table.Remove(c * 100_000L + i);
            cells.Add(table);
        }

        for (var s = 0; s < 8; s++)
        {
            var shard = new DirectoryTable(5);
            for (var i = 1; i <= 400_000; i++) shard.Set(s * 1_000_000L + i, new DirectoryEntry(Alerts.Geo.Geohash.Encode(22.5, 114.0, 5).Packed, 1_800_000_000_000, false));
            shards.Add(shard);
        }

        // About 250 MB: large enough that what the rest of the process frees or keeps between the two readings
        // (timers and pools of the tests before this one: up to a megabyte seen) stays well inside the percent.
        var live = ManagedHeap.LiveBytes() - before;
        var accounted = cells.Sum(t => t.HeapBytes) + shards.Sum(t => t.HeapBytes);
        // The two lists holding them are live too, and not the tables'.
        var lists = 2 * 24 + (cells.Capacity + shards.Capacity) * IntPtr.Size;
        Assert.InRange(accounted, (live - lists) * 0.99, (live - lists) * 1.01);
        GC.KeepAlive(cells);
        GC.KeepAlive(shards);
    }
}
