using Alerts.Geo;

namespace Alerts.Bench.Compare;

/// <summary>
/// Our silo's bytes per resident broken down by structure, measured: each structure is rebuilt here with the
/// product's own shapes and growth (a cell's five parallel arrays doubling from 8, its <c>Dictionary&lt;long, int&gt;</c>
/// id→slot index, the directory shards' <c>Dictionary&lt;long, Entry(long, long, bool)&gt;</c>), filled with the
/// run's per-cell and per-shard counts, and weighed as the managed heap's growth (full GC before and after);
/// activations and everything else are the silo's measured total minus those.
/// </summary>
public sealed record MemoryBreakdown(int Residents, int Cells, int Shards, IReadOnlyList<(string Structure, long Entries, long Bytes)> Parts, long Measured)
{
    /// <summary>The silo's directory shards (the product's default <c>DirectoryShards</c>).</summary>
    public const int DirectoryShards = 64;

    /// <summary>Bytes of the structures not rebuilt: activations (grain objects, Orleans' per-activation state) and the rest.</summary>
    public long Remainder => Measured - Parts.Sum(p => p.Bytes);

    /// <summary>Weighs the structures for <paramref name="population"/>'s current positions at precision 5.</summary>
    public static MemoryBreakdown Measure(ComparePopulation population, long measured)
    {
        var perCell = new Dictionary<long, int>();
        for (var i = 0; i < population.Count; i++)
        {
            var cell = Geohash.Encode(population.Latitudes[i], population.Longitudes[i], 5).Packed;
            perCell[cell] = perCell.GetValueOrDefault(cell) + 1;
        }

        var counts = perCell.Values.ToArray();
        perCell = null;
        var holder = new object[counts.Length * 5];
        var parts = new List<(string, long, long)>();

        var before = Heap();
        for (var c = 0; c < counts.Length; c++)
        {
            var capacity = 8;
            while (capacity < counts[c]) capacity *= 2;
            holder[c * 5] = new long[capacity];
            holder[c * 5 + 1] = new double[capacity];
            holder[c * 5 + 2] = new double[capacity];
            holder[c * 5 + 3] = new long[capacity];
            holder[c * 5 + 4] = new bool[capacity];
        }

        parts.Add(("cells' parallel arrays (id, lat, lon, fix, opt-out; capacity doubles from 8)", population.Count, Heap() - before));
        Array.Clear(holder);

        before = Heap();
        long key = 0;
        for (var c = 0; c < counts.Length; c++)
        {
            // Filled one by one, as Upsert grows it.
            var slots = new Dictionary<long, int>();
            for (var s = 0; s < counts[c]; s++) slots[++key] = s;
            holder[c] = slots;
        }

        parts.Add(("cells' id→slot index (Dictionary<long, int>)", population.Count, Heap() - before));
        Array.Clear(holder);

        before = Heap();
        var shards = new Dictionary<long, DirectoryEntry>[DirectoryShards];
        for (var s = 0; s < shards.Length; s++) shards[s] = new Dictionary<long, DirectoryEntry>();
        foreach (var id in population.Ids) shards[id % DirectoryShards][id] = new DirectoryEntry(id, id, false);
        parts.Add(("directory shards' user→cell (Dictionary<long, Entry(cell, fix, opt-out)>)", population.Count, Heap() - before));
        GC.KeepAlive(shards);
        GC.KeepAlive(holder);
        return new MemoryBreakdown(population.Count, counts.Length, DirectoryShards, parts, measured);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    // The same layout as UserDirectoryGrain's private entry.
    private readonly record struct DirectoryEntry(long Cell, long FixMs, bool OptedOut);
}
