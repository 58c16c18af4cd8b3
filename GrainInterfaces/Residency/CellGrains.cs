using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Alerts.Geo;

namespace Alerts.GrainInterfaces;

/// <summary>The one way to name a cell grain: its key is the packed geohash of its block, never its text.</summary>
public static class CellGrains
{
    /// <summary>References kept per grain factory: enough for every block at the default block size (32,768).</summary>
    public const int MaxKeptReferences = 65_536;

    // Orleans resolves an interface's grain type by reading its attributes on every GetGrain<T>(key); with a cell
    // reference made per block of every report, that reflection was half of a directory shard's time on a profile of
    // ingest. Both ids are fixed for the process (names, not runtime objects), so they are resolved once and reused.
    private static CellGrainIds? s_ids;

    // Making a reference also builds its proxy, whose codecs come from dependency injection: a tenth of the silo's
    // processor time during ingest on a later profile. References are immutable, so each grain factory keeps those it
    // made (per factory: a process may host several silos, and a reference belongs to its own), up to a bound.
    private static readonly ConditionalWeakTable<IGrainFactory, KeptReferences> s_kept = new();

    /// <summary>The grain of a block (a geohash at Alerts:BlockPrecision; a cell's block is <c>cell.Parent(BlockPrecision)</c>).</summary>
    public static ICellGrain GetCell(this IGrainFactory grains, Geohash block)
    {
        var kept = s_kept.GetValue(grains, _ => new KeptReferences());
        if (kept.References.TryGetValue(block.Packed, out var known)) return known;
        var made = Make(grains, block);
        // Counted here, not with ConcurrentDictionary.Count, which takes every one of its locks.
        if (Volatile.Read(ref kept.Count) < MaxKeptReferences && kept.References.TryAdd(block.Packed, made)) Interlocked.Increment(ref kept.Count);
        return made;
    }

    private static ICellGrain Make(IGrainFactory grains, Geohash block)
    {
        if (s_ids is not { } ids)
        {
            var first = grains.GetGrain<ICellGrain>(block.Packed);
            s_ids = new CellGrainIds(first.GetGrainId().Type, ((GrainReference)first).InterfaceType);
            return first;
        }

        return (ICellGrain)grains.GetGrain(GrainId.Create(ids.Type, GrainIdKeyExtensions.CreateIntegerKey(block.Packed)), ids.Interface);
    }

    /// <summary>The block a cell grain stands for.</summary>
    public static Geohash BlockOf(this ICellGrain grain) => Geohash.FromPacked(grain.GetPrimaryKeyLong());

    private sealed record CellGrainIds(GrainType Type, GrainInterfaceType Interface);

    /// <summary>One grain factory's references, and how many (the bound may be passed by a few racing adds).</summary>
    private sealed class KeptReferences
    {
        public readonly ConcurrentDictionary<long, ICellGrain> References = new();
        public int Count;
    }
}
