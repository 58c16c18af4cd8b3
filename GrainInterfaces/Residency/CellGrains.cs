using Alerts.Geo;

namespace Alerts.GrainInterfaces;

/// <summary>The one way to name a cell grain: its key is the packed geohash of its block, never its text.</summary>
public static class CellGrains
{
    // Orleans resolves an interface's grain type by reading its attributes on every GetGrain<T>(key); with a cell
    // reference made per block of every report, that reflection was half of a directory shard's time on a profile of
    // ingest. Both ids are fixed for the process (names, not runtime objects), so they are resolved once and reused.
    private static CellGrainIds? s_ids;

    /// <summary>The grain of a block (a geohash at Alerts:BlockPrecision; a cell's block is <c>cell.Parent(BlockPrecision)</c>).</summary>
    public static ICellGrain GetCell(this IGrainFactory grains, Geohash block)
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
}
