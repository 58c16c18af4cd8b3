namespace Alerts.Geo.Tests;

/// <summary>
/// A deliberately different way to find the nearest and farthest points of a cell: numeric search along
/// its four edges. Slow, but shares no logic with <see cref="GreatCircle"/>'s closed forms.
/// </summary>
public static class IndependentGeometry
{
    /// <summary>Nearest distance from a point to a box, by golden-section search along each edge.</summary>
    public static double MinDistance(double lat, double lon, GeoBox box)
    {
        if (box.Contains(lat, lon) || (box.MinLat <= lat && lat <= box.MaxLat && LonInside(lon, box))) return 0;
        return Edges(box).Min(edge => Search(t => D(lat, lon, edge(t))));
    }

    /// <summary>Farthest distance from a point to a box, by golden-section search along each edge and the corners.</summary>
    public static double MaxDistance(double lat, double lon, GeoBox box) =>
        Edges(box).Max(edge => -Search(t => -D(lat, lon, edge(t))));

    private static bool LonInside(double lon, GeoBox box)
    {
        foreach (var shift in new[] { -360.0, 0, 360 })
            if (lon + shift >= box.MinLon && lon + shift <= box.MaxLon) return true;
        return false;
    }

    private static double D(double lat, double lon, (double Lat, double Lon) p) => GreatCircle.Distance(lat, lon, p.Lat, p.Lon);

    private static IEnumerable<Func<double, (double, double)>> Edges(GeoBox b)
    {
        yield return t => (b.MinLat + t * (b.MaxLat - b.MinLat), b.MinLon);
        yield return t => (b.MinLat + t * (b.MaxLat - b.MinLat), b.MaxLon);
        yield return t => (b.MinLat, b.MinLon + t * (b.MaxLon - b.MinLon));
        yield return t => (b.MaxLat, b.MinLon + t * (b.MaxLon - b.MinLon));
    }

    // Distance along an edge is unimodal (an edge spans less than half a period of the sinusoid), so
    // golden-section search finds the minimum; the ends are checked explicitly.
    private static double Search(Func<double, double> f)
    {
        const double g = 0.6180339887498949;
        double lo = 0, hi = 1;
        var x1 = hi - g * (hi - lo);
        var x2 = lo + g * (hi - lo);
        double f1 = f(x1), f2 = f(x2);
        for (var i = 0; i < 80; i++)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = f(x1); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = f(x2); }
        }

        return Math.Min(Math.Min(f(0), f(1)), Math.Min(f1, f2));
    }
}
