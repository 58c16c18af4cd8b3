namespace Alerts.Geo;

/// <summary>
/// The geohash cells that intersect a circle, nearest first, each marked inside or boundary.
/// Every cell holding a point within the radius is included; a cell is marked inside only when its
/// farthest point is within the radius by <see cref="ToleranceMeters"/>, and a boundary cell's nearest
/// point is within the radius plus that tolerance. The tolerance absorbs floating-point rounding so that
/// the per-resident distance test, not the cover, decides every case closer than a millimetre.
/// </summary>
public static class CircleCover
{
    /// <summary>Rounding allowance in metres: cells this close to the edge are tested resident by resident.</summary>
    public const double ToleranceMeters = 0.001;

    /// <summary>The cover of a circle at a precision, sorted by distance from the centre (nearest first).</summary>
    public static CoveredCell[] Compute(GeoCircle circle, int precision)
    {
        var cells = new List<CoveredCell>();
        Compute(circle, precision, cells);
        return cells.ToArray();
    }

    /// <summary>Fills <paramref name="cells"/> (cleared first) with the cover, nearest first; reuse the list to avoid allocations.</summary>
    public static void Compute(GeoCircle circle, int precision, List<CoveredCell> cells)
    {
        Geohash.ValidatePrecision(precision);
        cells.Clear();

        var latBits = Geohash.LatBits(precision);
        var lonBits = Geohash.LonBits(precision);
        var columns = 1L << lonBits;
        var cellHeight = 180.0 / (1L << latBits);
        var cellWidth = 360.0 / columns;
        var lat = circle.Center.Latitude;
        var lon = circle.Center.Longitude;
        var radius = circle.RadiusMeters;
        var reach = radius + ToleranceMeters;

        // Rows: the cap spans latitudes [lat - d, lat + d], cut at the poles (a cap over a pole
        // wraps back within that span on the far side).
        var spanDegrees = reach / GreatCircle.EarthRadiusMeters * (180 / Math.PI);
        var firstRow = Geohash.AxisIndex(Math.Max(-90, lat - spanDegrees), -90, 180, latBits);
        var lastRow = Geohash.AxisIndex(Math.Min(90, lat + spanDegrees), -90, 180, latBits);
        var centerColumn = Geohash.AxisIndex(lon, -180, 360, lonBits);

        for (var row = firstRow; row <= lastRow; row++)
        {
            var minLat = -90 + row * cellHeight;
            var maxLat = -90 + (row + 1) * cellHeight;

            // The cap's slice of every parallel is centred on the centre's meridian, so within a row the
            // intersecting cells are one run of columns around the centre column: walk out both ways
            // until a cell misses. Distance grows with the longitude offset, so the first miss ends a side.
            if (!TryAdd(cells, row, centerColumn, precision, minLat, maxLat, cellWidth, lat, lon, radius, reach)) continue;

            var eastReach = 0L;
            while (eastReach < columns - 1 &&
                   TryAdd(cells, row, (centerColumn + eastReach + 1) & (columns - 1), precision, minLat, maxLat, cellWidth, lat, lon, radius, reach))
            {
                eastReach++;
            }

            // West over the columns the east walk has not reached.
            for (var west = 1L; west < columns - eastReach; west++)
            {
                if (!TryAdd(cells, row, (centerColumn - west) & (columns - 1), precision, minLat, maxLat, cellWidth, lat, lon, radius, reach)) break;
            }
        }

        SortNearestFirst(cells);
    }

    private static bool TryAdd(List<CoveredCell> cells, long row, long column, int precision, double minLat, double maxLat,
        double cellWidth, double lat, double lon, double radius, double reach)
    {
        var minLon = -180 + column * cellWidth;
        var box = new GeoBox(minLat, minLon, maxLat, minLon + cellWidth);
        var nearest = GreatCircle.MinDistanceToBox(lat, lon, box);
        if (nearest > reach) return false;

        var farthest = GreatCircle.MaxDistanceToBox(lat, lon, box);
        var coverage = farthest <= radius - ToleranceMeters ? CellCoverage.Inside : CellCoverage.Boundary;
        cells.Add(new CoveredCell(Geohash.FromIndices(row, column, precision), coverage, nearest));
        return true;
    }

    private static void SortNearestFirst(List<CoveredCell> cells)
    {
        // Sorting on a parallel array of double keys is several times faster than a struct comparer.
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(cells);
        var keys = System.Buffers.ArrayPool<double>.Shared.Rent(span.Length);
        try
        {
            var keySpan = keys.AsSpan(0, span.Length);
            for (var i = 0; i < span.Length; i++) keySpan[i] = span[i].MinDistanceMeters;
            keySpan.Sort(span);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(keys);
        }
    }
}
