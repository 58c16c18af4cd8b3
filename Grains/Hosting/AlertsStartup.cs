using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Before the silo opens a port: creates the product tables (embedded) or checks that `migrate` did (cluster). Before it
/// tells the cluster it is joining: refuses to join running silos whose shared settings differ (<see cref="LiveSilos"/>).
/// Then, before it takes calls: loads which cells have stored residents (so empty cells skip their load query) and which
/// stored credentials are revoked.
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
    public void Participate(ISiloLifecycle lifecycle)
    {
        // The schema before Orleans' listeners bind (RuntimeInitialize - 1): a silo on a database it cannot use opens no
        // port and starts none of the runtime's threads.
        lifecycle.Subscribe(nameof(AlertsStartup) + ".Schema", ServiceLifecycleStage.RuntimeInitialize - 2, CheckSchemaAsync);
        // The shared settings before Orleans writes its "joining" row (after its runtime services): a refused silo leaves no
        // membership row. After the ports are bound: a silo that fails to bind stops before writing over the row of the
        // silo holding its endpoint (rows are keyed by endpoint).
        lifecycle.Subscribe(nameof(AlertsStartup) + ".Settings", ServiceLifecycleStage.RuntimeInitialize, JoinAsync, LeaveAsync);
        lifecycle.Subscribe(nameof(AlertsStartup), ServiceLifecycleStage.ApplicationServices, LoadAsync, _ => Task.CompletedTask);
    }

    private async Task CheckSchemaAsync(CancellationToken cancellationToken)
    {
        // The embedded silo owns its file and keeps it current; a cluster silo only checks what `migrate` made, so its
        // database role may be one that reads and writes rows and owns nothing (the audit log's guard included).
        if (createsSchema) await schema.EnsureAsync(options.Value.CellPrecision);
        else await schema.CheckAsync(options.Value.CellPrecision);
    }

    // Before anything is loaded or served: a silo whose shared settings differ from the running silos' must not join them.
    private Task JoinAsync(CancellationToken cancellationToken) =>
        liveSilos.JoinAsync(localSilo.SiloAddress.Endpoint.ToString(), SharedSettings.Of(options.Value, engagement.Value, security.Value));

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var cells = await residents.LoadResidentCellsAsync();
        cellIndex.Load(cells);
        // Here, not when the host's services start (Orleans' gateway may open first): a token revoked before this silo
        // started is refused from its first call, and a table that cannot be read stops the start.
        await revoked.RefreshAsync();
        logger.LogInformation("Product tables ready on {Engine} at {Location}: {Cells} cells with residents", engine.Name, engine.Location, cells.Count);
    }

    // Once every later stage has stopped (grains deactivated, the silo gone from the cluster), or a later stage failed to
    // start; not when the host's services stop before Orleans does: until then this silo still runs with its settings.
    private Task LeaveAsync(CancellationToken cancellationToken) => liveSilos.LeaveAsync();
}
