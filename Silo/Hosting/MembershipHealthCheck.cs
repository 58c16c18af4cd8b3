using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Alerts.Silo;

/// <summary>Healthy while this silo is an active member of its cluster; the description lists the active silos and this silo's activations.</summary>
public sealed class MembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails localSilo, IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var members = membership.CurrentSnapshot.Members.Values;
        var active = members.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToString()).Order().ToList();
        var self = members.FirstOrDefault(m => m.SiloAddress.Equals(localSilo.SiloAddress))?.Status ?? SiloStatus.None;
        var description = $"silo {localSilo.SiloAddress} is {self}; {active.Count} active: {string.Join(", ", active)}";
        if (self != SiloStatus.Active) return HealthCheckResult.Unhealthy(description);
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([localSilo.SiloAddress]);
        return HealthCheckResult.Healthy($"{description}; activations: {statistics[0].ActivationCount}");
    }
}
