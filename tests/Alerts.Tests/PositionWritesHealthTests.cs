using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Alerts.Tests;

/// <summary>The silo's health says when its position writes fail, though the database still answers, and when they recover.</summary>
public sealed class PositionWritesHealthTests
{
    [Fact]
    public async Task Health_is_unhealthy_while_positions_fail_to_be_written_and_healthy_once_written()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var health = silo.Services.GetRequiredService<HealthCheckService>();
        var writer = silo.Services.GetRequiredService<ResidentWriter>();
        async Task<(HealthStatus Status, string? Description)> Positions()
        {
            var report = await health.CheckHealthAsync();
            return (report.Entries["positions"].Status, report.Entries["positions"].Description);
        }

        Assert.Equal((HealthStatus.Healthy, "0 changes waiting"), await Positions());

        // The database answers, but refuses these rows (as a read-only or full one refuses every write).
        var fix = new ResidentFix(7, 22.54, 114.05, AlertsSilo.Epoch.ToUnixTimeMilliseconds(), false);
        await ExecuteAsync(silo, "CREATE TRIGGER refuse_positions BEFORE INSERT ON residents BEGIN SELECT RAISE(ABORT, 'positions refused'); END");
        writer.Upsert([(Geohash.Encode(fix.Latitude, fix.Longitude, 5), fix)]);
        await Assert.ThrowsAnyAsync<Exception>(writer.FlushAsync);
        var (status, description) = await Positions();
        Assert.Equal(HealthStatus.Unhealthy, status);
        Assert.Equal($"writes failing since {AlertsSilo.Epoch:u}: {writer.Failing?.Error}; 1 changes waiting", description);
        Assert.Contains("positions refused", description);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["storage"].Status);

        // A second failure keeps the time of the first; a write that succeeds clears it.
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAnyAsync<Exception>(writer.FlushAsync);
        Assert.Equal(AlertsSilo.Epoch, writer.Failing?.Since);
        await ExecuteAsync(silo, "DROP TRIGGER refuse_positions");
        await writer.FlushAsync();
        Assert.Equal((HealthStatus.Healthy, "0 changes waiting"), await Positions());
        Assert.Equal((1L, 0L), await silo.Residents.CountAsync());
    }

    private static async Task ExecuteAsync(AlertsSilo silo, string sql)
    {
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync(sql);
    }
}
