using Alerts.Geo;

namespace Alerts.GrainInterfaces;

/// <summary>The one way to name a cell grain: its key is the packed geohash of its block, never its text.</summary>
public static class CellGrains
{
    /// <summary>The grain of a block (a geohash at Alerts:BlockPrecision; a cell's block is <c>cell.Parent(BlockPrecision)</c>).</summary>
    public static ICellGrain GetCell(this IGrainFactory grains, Geohash block) => grains.GetGrain<ICellGrain>(block.Packed);

    /// <summary>The block a cell grain stands for.</summary>
    public static Geohash BlockOf(this ICellGrain grain) => Geohash.FromPacked(grain.GetPrimaryKeyLong());
}
