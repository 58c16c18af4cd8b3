using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Deletes stored positions older than MaxPositionAge, at start-up and then every PurgeInterval, once for the cluster: a
/// silo whose pass comes soon after another silo's skips it (the purge reads the whole table).
/// </summary>
public sealed class StalePositionPurge(ResidentStore store, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<StalePositionPurge> logger) : BackgroundService
{
    /// <summary>Raised after each pass this silo makes with the cutoff it used and the number of positions it deleted.</summary>
    public event Action<DateTimeOffset, int>? Purged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PurgeInterval;
        using var timer = new PeriodicTimer(interval, time);
        // A pass is due once the last began nine tenths of an interval ago: a silo's own next tick, a little early or
        // late, still finds it due, and the silo that ticks first after that makes it.
        var spacing = interval - interval / 10;
        try
        {
            do
            {
                var now = time.GetUtcNow();
                var cutoff = now - options.Value.MaxPositionAge;
                try
                {
                    if (await store.PurgeStaleIfDueAsync(cutoff, now, spacing) is { } purged)
                    {
                        if (purged > 0) logger.LogInformation("Purged {Count} positions older than {Age}", purged, options.Value.MaxPositionAge);
                        Purged?.Invoke(cutoff, purged);
                    }
                    else
                    {
                        logger.LogDebug("Stale positions purged by another pass less than {Spacing} ago", spacing);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A database outage must not end the loop: the next pass purges what this one could not.
                    logger.LogError(e, "Purging stale positions failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
