using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Alerts.Tests;

/// <summary>
/// The silo's health says when its position writes fail, though the database still answers: degraded at first, unhealthy
/// once they have failed for longer than <c>PositionWriteGrace</c>; healthy again once written.
/// </summary>
public sealed class PositionWritesHealthTests
{
    [Fact]
    public async Task Health_is_degraded_then_unhealthy_while_positions_fail_to_be_written_and_healthy_once_written()
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

        await FailAWriteAsync(silo);
        var failing = $"writes failing since {AlertsSilo.Epoch:u}: {writer.Failing?.Error}; 1 changes waiting";
        Assert.Equal((HealthStatus.Degraded, failing), await Positions());
        Assert.Contains("positions refused", failing);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["storage"].Status);

        // Still within the grace (30 s by default), then unhealthy. The writer's timer tries again meanwhile (its count of
        // changes waiting leaves out a batch being written), so only the status is compared.
        silo.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HealthStatus.Degraded, (await Positions()).Status);
        silo.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Unhealthy, (await Positions()).Status);

        // A second failure keeps the time of the first; a write that succeeds clears it.
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await Assert.ThrowsAnyAsync<Exception>(writer.FlushAsync);
        Assert.Equal(AlertsSilo.Epoch, writer.Failing?.Since);
        Assert.Equal(HealthStatus.Unhealthy, (await Positions()).Status);
        await silo.ExecuteAsync("DROP TRIGGER refuse_positions");
        await writer.FlushAsync();
        Assert.Equal((HealthStatus.Healthy, "0 changes waiting"), await Positions());
        Assert.Equal((1L, 0L), await silo.Residents.CountAsync());
    }

    [Fact]
    public async Task With_no_grace_health_is_unhealthy_at_the_first_failure()
    {
        var settings = new Dictionary<string, string?> { ["Alerts:PositionWriteGrace"] = "00:00:00" };
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: settings);
        await FailAWriteAsync(silo);
        Assert.Equal(HealthStatus.Unhealthy, (await silo.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["positions"].Status);
    }

    [Fact]
    public void A_negative_grace_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new AlertsOptions { PositionWriteGrace = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.StartsWith("Alerts:PositionWriteGrace -00:00:01 is invalid: must be from 0 to 01:00:00", error.Message);
    }

    // The database answers, but refuses a position (as a read-only or full one refuses every write).
    private static async Task FailAWriteAsync(AlertsSilo silo)
    {
        var writer = silo.Services.GetRequiredService<ResidentWriter>();
        var fix = new ResidentFix(7, 22.54, 114.05, AlertsSilo.Epoch.ToUnixTimeMilliseconds(), false);
        await silo.ExecuteAsync("CREATE TRIGGER refuse_positions BEFORE INSERT ON residents BEGIN SELECT RAISE(ABORT, 'positions refused'); END");
        writer.Upsert([(Geohash.Encode(fix.Latitude, fix.Longitude, 5), fix)]);
        await Assert.ThrowsAnyAsync<Exception>(writer.FlushAsync);
    }
}
