using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Bench.Compare;

/// <summary>
/// Our silo's bytes per resident broken down by structure, measured: the product's own structures (a cell grain's
/// <see cref="ResidentTable"/> per block, a <see cref="DirectoryTable"/> per directory shard) are filled here, one
/// upsert at a time as ingest fills them, with the run's final positions at the silo's block precision, and weighed by
/// their own account of the arrays they hold (<see cref="ResidentTable.HeapBytes"/>, which a test holds to what the
/// collector finds live); activations and everything else are the silo's measured total minus those. Heap readings
/// around each structure were used before: at 10 M they caught other releases and came out below the rows' own size.
/// </summary>
public sealed record MemoryBreakdown(int Residents, int Blocks, int Shards, IReadOnlyList<(string Structure, long Entries, long Bytes)> Parts, long Measured)
{
    /// <summary>The live objects ingest added, by kind, from heap dumps (<c>--heap-census</c>), else null.</summary>
    public IReadOnlyList<(string Kind, long Count, long Bytes)>? Census { get; init; }

    /// <summary>Bytes of the structures not rebuilt: activations (grain objects, Orleans' per-activation state) and the rest.</summary>
    public long Remainder => Measured - Parts.Sum(p => p.Bytes);

    /// <summary>
    /// Weighs the structures for <paramref name="population"/>'s current positions, blocks at
    /// <paramref name="blockPrecision"/>, the directory in <paramref name="directoryShards"/> shards (the silo's settings).
    /// </summary>
    public static MemoryBreakdown Measure(ComparePopulation population, int blockPrecision, int directoryShards, long measured)
    {
        var blocks = new Dictionary<long, ResidentTable>();
        for (var i = 0; i < population.Count; i++)
        {
            var block = Geohash.Encode(population.Latitudes[i], population.Longitudes[i], blockPrecision).Packed;
            if (!blocks.TryGetValue(block, out var table)) blocks[block] = table = new ResidentTable();
            table.Upsert(new ResidentFix(population.Ids[i], population.Latitudes[i], population.Longitudes[i], i, false));
        }

        var parts = new List<(string, long, long)>
        {
            ("cell grains' resident tables (20-byte rows: id with opt-out, position on the 2^32 grid, 32-bit fix; pages of 2,048 rows, a small table's one page grown by a quarter; tagged id→slot index up to 85 % full, grown by a third)", population.Count, blocks.Values.Sum(t => t.HeapBytes)),
        };

        var shards = new DirectoryTable[directoryShards];
        for (var s = 0; s < shards.Length; s++) shards[s] = new DirectoryTable(blockPrecision);
        for (var i = 0; i < population.Count; i++)
        {
            var id = population.Ids[i];
            shards[id % directoryShards].Set(id, new DirectoryEntry(Geohash.Encode(population.Latitudes[i], population.Longitudes[i], blockPrecision).Packed, i, false));
        }

        parts.Add(("directory shards' tables (16-byte rows: id, 32-bit fix, block with opt-out in 32 bits; pages of 4,096 rows; tagged id→slot index)", population.Count, shards.Sum(t => t.HeapBytes)));
        return new MemoryBreakdown(population.Count, blocks.Count, directoryShards, parts, measured);
    }
}
