namespace Alerts.Geo;

/// <summary>One cell of a circle's cover, with how it meets the circle and how far its nearest point is from the centre.</summary>
public readonly record struct CoveredCell(Geohash Cell, CellCoverage Coverage, double MinDistanceMeters);
