namespace Alerts.Geo;

/// <summary>The eight neighbour directions of a geohash cell, in the order n, ne, e, se, s, sw, w, nw.</summary>
public enum GeohashDirection
{
    North,
    NorthEast,
    East,
    SouthEast,
    South,
    SouthWest,
    West,
    NorthWest,
}
