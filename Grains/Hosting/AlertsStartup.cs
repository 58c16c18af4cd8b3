using Alerts.GrainInterfaces;
using Alerts.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// At start-up: creates the product tables, resumes unfinished dispatches and starts the push hub (so
/// batches waiting in the outbox go out as soon as a gateway connects).
/// </summary>
public sealed class AlertsStartup(AlertsStore store, ResidentCellIndex cellIndex, IGrainFactory grains, IOptions<AlertsOptions> options, ILogger<AlertsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
