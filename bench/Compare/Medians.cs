namespace Alerts.Bench.Compare;

/// <summary>Medians of timings (the middle one, or the mean of the middle two).</summary>
public static class Medians
{
    /// <summary>The median of <paramref name="values"/> (at least one).</summary>
    public static TimeSpan Of(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values", nameof(values));
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
