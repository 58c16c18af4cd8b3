using Alerts.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Alerts.Silo;

/// <summary>
/// Degraded while this silo's position writes fail, unhealthy once they have failed for longer than
/// <see cref="AlertsOptions.PositionWriteGrace"/>: reports then go unanswered and gateways retry, though the database may
/// still answer the storage check (read-only, full, a constraint). Says how many changes wait either way.
/// </summary>
public sealed class PositionWritesHealthCheck(
    ResidentWriter writer, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : IHealthCheck
{
    private readonly TimeSpan _grace = options.Value.PositionWriteGrace;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var waiting = $"{writer.Pending:N0} changes waiting";
        if (writer.Failing is not { } failing) return Task.FromResult(HealthCheckResult.Healthy(waiting));
        var description = $"writes failing since {failing.Since:u}: {failing.Error}; {waiting}";
        // A failure the next flush may clear (a restart of the database, a failover) degrades; one that lasts is unhealthy.
        return Task.FromResult(time.GetUtcNow() - failing.Since < _grace ? HealthCheckResult.Degraded(description) : HealthCheckResult.Unhealthy(description));
    }
}
