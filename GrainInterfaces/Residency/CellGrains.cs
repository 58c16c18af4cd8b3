using Alerts.Geo;

namespace Alerts.GrainInterfaces;

/// <summary>The one way to name a cell grain: its key is the packed geohash, never its text.</summary>
public static class CellGrains
{
    /// <summary>The grain of a cell.</summary>
    public static ICellGrain GetCell(this IGrainFactory grains, Geohash cell) => grains.GetGrain<ICellGrain>(cell.Packed);

    /// <summary>The cell a cell grain stands for.</summary>
    public static Geohash CellOf(this ICellGrain grain) => Geohash.FromPacked(grain.GetPrimaryKeyLong());
}
