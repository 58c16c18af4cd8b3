using Alerts.Grains;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Alerts.Silo;

/// <summary>Healthy when the database answers a trivial query.</summary>
public sealed class StorageHealthCheck(StoreEngine engine) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await engine.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{engine.Name} at {engine.Location} reachable");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{engine.Name} at {engine.Location} unreachable: {e.Message}");
        }
    }
}
