namespace Alerts.GrainInterfaces;

/// <summary>The mobile gateway's entry point for deliveries, opens, shares and sightings (a stateless worker: call any key).</summary>
[Alias("alerts.engagement")]
[RequiresRole(Roles.Gateway)]
public interface IEngagementGrain : IGrainWithIntegerKey
{
    /// <summary>Counts up to 10,000 events of any cases; each bad or refused event is rejected on its own, the rest counted.</summary>
    [Alias("Report")]
    Task<EngagementResult> Report(List<EngagementEvent> events);
}
