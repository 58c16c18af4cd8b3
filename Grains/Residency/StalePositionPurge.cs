using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>Deletes stored positions older than MaxPositionAge, at start-up and then every PurgeInterval.</summary>
public sealed class StalePositionPurge(ResidentStore store, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<StalePositionPurge> logger) : BackgroundService
{
    /// <summary>Raised after each pass with the cutoff it used and the number of positions it deleted.</summary>
    public event Action<DateTimeOffset, int>? Purged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        try
        {
            do
            {
                var cutoff = time.GetUtcNow() - options.Value.MaxPositionAge;
                try
                {
                    var purged = await store.PurgeStaleAsync(cutoff);
                    if (purged > 0) logger.LogInformation("Purged {Count} positions older than {Age}", purged, options.Value.MaxPositionAge);
                    Purged?.Invoke(cutoff, purged);
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
