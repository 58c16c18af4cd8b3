using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Alerts.Runtime;

/// <summary>Healthy when the storage database answers a trivial query.</summary>
public sealed class StorageHealthCheck(SqlGrainStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await storage.Dialect.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{storage.Dialect.Name} reachable");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{storage.Dialect.Name} unreachable: {e.Message}");
        }
    }
}
