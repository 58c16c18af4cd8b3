using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Before the silo takes calls (its settings were checked as the host started): creates the product tables and loads which cells
/// have stored residents (so empty cells skip their load query).
/// </summary>
public sealed class AlertsStartup(ProductSchema schema, ResidentStore residents, ResidentCellIndex cellIndex, StoreEngine engine, IOptions<AlertsOptions> options, ILogger<AlertsStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AlertsStartup), ServiceLifecycleStage.ApplicationServices, StartAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(options.Value.CellPrecision);
        var cells = await residents.LoadResidentCellsAsync();
        cellIndex.Load(cells);
        logger.LogInformation("Product tables ready on {Engine} at {Location}: {Cells} cells with residents", engine.Name, engine.Location, cells.Count);
    }
}
