using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Before the silo takes calls (its settings were checked as the host started): creates the product tables, loads which cells
/// have stored residents (so empty cells skip their load query) and which stored credentials are revoked.
/// </summary>
public sealed class AlertsStartup(
    ProductSchema schema,
    ResidentStore residents,
    ResidentCellIndex cellIndex,
    RevokedCredentials revoked,
    StoreEngine engine,
    IOptions<AlertsOptions> options,
    ILogger<AlertsStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AlertsStartup), ServiceLifecycleStage.ApplicationServices, StartAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(options.Value.CellPrecision);
        var cells = await residents.LoadResidentCellsAsync();
        cellIndex.Load(cells);
        // Here, not when the host's services start (Orleans' gateway may open first): a token revoked before this silo
        // started is refused from its first call, and a table that cannot be read stops the start.
        await revoked.RefreshAsync();
        logger.LogInformation("Product tables ready on {Engine} at {Location}: {Cells} cells with residents", engine.Name, engine.Location, cells.Count);
    }
}
