namespace Alerts.Bench.Compare;

/// <summary>Medians of timings and rates (the middle one, or the mean of the middle two).</summary>
public static class Medians
{
    /// <summary>The median of <paramref name="values"/> (at least one).</summary>
    public static TimeSpan Of(IEnumerable<TimeSpan> values) => TimeSpan.FromTicks((long)Math.Round(Of(values.Select(v => (double)v.Ticks))));

    /// <summary>The median of <paramref name="values"/> (at least one).</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values", nameof(values));
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
