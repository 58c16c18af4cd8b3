namespace Alerts.GrainInterfaces;

/// <summary>The silo's half of a case's engagement (same grain): counts the events the intake validated.</summary>
[Alias("alerts.engagement-recorder")]
[SiloOnly]
public interface IEngagementRecorderGrain : IGrainWithStringKey
{
    /// <summary>Counts well-formed events of this case, in order, durably before it returns; indices in the reply are positions in <paramref name="events"/>.</summary>
    [Alias("Record")]
    Task<EngagementResult> Record(List<EngagementEvent> events);
}
