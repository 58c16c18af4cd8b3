namespace Alerts.Geo;

/// <summary>How a covering cell meets the circle.</summary>
public enum CellCoverage : byte
{
    /// <summary>Every point of the cell is within the radius: its residents need no distance test.</summary>
    Inside,

    /// <summary>The cell crosses the circle's edge: each resident must be tested.</summary>
    Boundary,
}
