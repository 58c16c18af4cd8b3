using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;

namespace Alerts.Bench.Compare;

/// <summary>
/// Holds the compact tables' own account of their bytes (<see cref="ResidentTable.HeapBytes"/>, what
/// <see cref="MemoryBreakdown"/> adds up) against what the collector finds live, in a process that does nothing else
/// (in the test process other tests' objects come and go between the two readings): cell tables from one row to
/// several pages, some emptied again, and directory shards of several pages.
/// </summary>
public static class TableHeapCheck
{
    /// <summary>Builds the tables and returns (their account, the live bytes they added), the lists holding them left out.</summary>
    public static (long Accounted, long Live) Measure()
    {
        var random = new Random(2026);
        var before = ManagedHeap.LiveBytes();
        var cells = new List<ResidentTable>();
        var shards = new List<DirectoryTable>();
        var block = Alerts.Geo.Geohash.Encode(22.5, 114.0, 5).Packed;
        for (var c = 0; c < 3_000; c++)
        {
            var table = new ResidentTable();
            var rows = random.Next(4) == 0 ? random.Next(1, 12_000) : random.Next(1, 400);
            for (var i = 1; i <= rows; i++) table.Upsert(new ResidentFix(c * 100_000L + i, 22.5, 114.0, 1_800_000_000_000, false));
            for (var i = 1; i <= rows; i += 3) table.Remove(c * 100_000L + i);
            cells.Add(table);
        }

        for (var s = 0; s < 8; s++)
        {
            var shard = new DirectoryTable(5);
            for (var i = 1; i <= 400_000; i++) shard.Set(s * 1_000_000L + i, new DirectoryEntry(block, 1_800_000_000_000, false));
            shards.Add(shard);
        }

        var live = ManagedHeap.LiveBytes() - before;
        // The two lists (an array and a size and version each) are live too, and not the tables'.
        var lists = 2 * HeapBytes.OfObject(IntPtr.Size + 2 * sizeof(int)) + HeapBytes.OfArray(cells.Capacity, IntPtr.Size) + HeapBytes.OfArray(shards.Capacity, IntPtr.Size);
        var accounted = cells.Sum(t => t.HeapBytes) + shards.Sum(t => t.HeapBytes);
        GC.KeepAlive(cells);
        GC.KeepAlive(shards);
        return (accounted, live - lists);
    }
}
