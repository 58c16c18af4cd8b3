namespace Alerts.GrainInterfaces;

/// <summary>One shard of a case's engagement (key "case/shard", see <see cref="EngagementShards"/>): counts the events of its users.</summary>
[Alias("alerts.engagement-shard")]
[SiloOnly]
public interface IEngagementShardGrain : IGrainWithStringKey
{
    /// <summary>Counts well-formed events of this case and shard, in order, durably before it returns; indices in the reply are positions in <paramref name="events"/>.</summary>
    [Alias("Record")]
    Task<EngagementResult> Record(List<EngagementEvent> events);

    /// <summary>This shard's figures (status, pushed and suppressed left at zero: the case's grain adds them).</summary>
    [ReadOnly, Alias("GetFigures")]
    Task<CaseEngagementStats> GetFigures();
}
