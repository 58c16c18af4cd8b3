namespace Alerts.Bench.Compare;

/// <summary>
/// How long a stream of position updates took: until every batch was acknowledged, and until every position was
/// durably stored (null for a system that does not store durably).
/// </summary>
public sealed record WriteTiming(int Updates, TimeSpan Acknowledged, TimeSpan? Durable)
{
    /// <summary>Updates per second until acknowledged.</summary>
    public double AcknowledgedRate => Updates / Acknowledged.TotalSeconds;

    /// <summary>Updates per second until durable, or null.</summary>
    public double? DurableRate => Durable is { } d ? Updates / d.TotalSeconds : null;
}
