using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Before the silo takes calls (its settings were checked as the host started): creates the product tables (embedded) or checks that `migrate` did (cluster), refuses to join running silos whose shared settings differ (<see cref="LiveSilos"/>), loads which cells
/// have stored residents (so empty cells skip their load query) and which stored credentials are revoked.
/// </summary>
public sealed class AlertsStartup(
    ProductSchema schema,
    ResidentStore residents,
    ResidentCellIndex cellIndex,
    RevokedCredentials revoked,
    LiveSilos liveSilos,
    ILocalSiloDetails localSilo,
    StoreEngine engine,
    IOptions<AlertsOptions> options,
    IOptions<EngagementOptions> engagement,
    IOptions<SecurityOptions> security,
    ILogger<AlertsStartup> logger,
    bool createsSchema)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AlertsStartup), ServiceLifecycleStage.ApplicationServices, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        // The embedded silo owns its file and keeps it current; a cluster silo only checks what `migrate` made, so its
        // database role may be one that reads and writes rows and owns nothing (the audit log's guard included).
        if (createsSchema) await schema.EnsureAsync(options.Value.CellPrecision);
        else await schema.CheckAsync(options.Value.CellPrecision);
        // Before anything is loaded or served: a silo whose shared settings differ from the running silos' must not join them.
        await liveSilos.JoinAsync(localSilo.SiloAddress.Endpoint.ToString(), SharedSettings.Of(options.Value, engagement.Value, security.Value));
        var cells = await residents.LoadResidentCellsAsync();
        cellIndex.Load(cells);
        // Here, not when the host's services start (Orleans' gateway may open first): a token revoked before this silo
        // started is refused from its first call, and a table that cannot be read stops the start.
        await revoked.RefreshAsync();
        logger.LogInformation("Product tables ready on {Engine} at {Location}: {Cells} cells with residents", engine.Name, engine.Location, cells.Count);
    }

    // Once the later stages have stopped (grains deactivated, the silo gone from the cluster), not when the host's
    // services stop before Orleans does: until then this silo still runs with its settings.
    private Task StopAsync(CancellationToken cancellationToken) => liveSilos.LeaveAsync();
}
