using Alerts.GrainInterfaces;
using Alerts.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// At start-up: creates the product tables, resumes unfinished dispatches and starts the push hub (so
/// batches waiting in the outbox go out as soon as a gateway connects). Then purges stale positions
/// every PurgeInterval.
/// </summary>
public sealed class AlertsStartup(AlertsStore store, ResidentCellIndex cellIndex, IGrainFactory grains, IOptions<AlertsOptions> options, TimeProvider time, ILogger<AlertsStartup> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Value.Validate();
        await store.EnsureSchemaAsync(options.Value.CellPrecision);
        cellIndex.Load(await store.LoadResidentCellsAsync());
        await grains.GetGrain<IPushHubGrain>(0).GetStats();
        foreach (var caseId in await store.CasesInAsync(CaseStatus.Dispatching, CaseStatus.Dispatched))
        {
            logger.LogInformation("Resuming case {Case}", caseId);
            await grains.GetGrain<ICaseGrain>(caseId).Resume();
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        try
        {
            do
            {
                try
                {
                    var purged = await store.PurgeStaleAsync(time.GetUtcNow() - options.Value.MaxPositionAge);
                    if (purged > 0) logger.LogInformation("Purged {Count} positions older than {Age}", purged, options.Value.MaxPositionAge);
                }
                catch (Exception e)
                {
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
