using Alerts.Grains;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Alerts.Silo;

/// <summary>
/// Unhealthy while this silo's position writes fail: reports then go unanswered and gateways retry, though the database
/// may still answer the storage check (read-only, full, a constraint). Says how many changes wait either way.
/// </summary>
public sealed class PositionWritesHealthCheck(ResidentWriter writer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var waiting = $"{writer.Pending:N0} changes waiting";
        return Task.FromResult(writer.Failing is { } failing
            ? HealthCheckResult.Unhealthy($"writes failing since {failing.Since:u}: {failing.Error}; {waiting}")
            : HealthCheckResult.Healthy(waiting));
    }
}
