using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Write-behind for positions: cells hand every change here, and it writes them all in one transaction
/// every ResidentFlushInterval (group commit: thousands of cells, one writer, no lock contention) and
/// once more when the host stops. A crash loses at most the last interval.
/// </summary>
public sealed class ResidentWriter(ResidentStore store, ResidentCellIndex index, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<ResidentWriter> logger) : BackgroundService
{
    private const int RowsPerTransaction = 20_000;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private Dictionary<long, Change> _pending = new();

    /// <summary>Changes waiting to be written.</summary>
    public int Pending
    {
        get { lock (_gate) return _pending.Count; }
    }

    /// <summary>A user's new position in a cell.</summary>
    public void Upsert(Geohash cell, ResidentFix fix)
    {
        lock (_gate) _pending[fix.UserId] = new Change(cell, fix);
    }

    /// <summary>A user left a cell; ignored when a newer position elsewhere is already waiting (it moves the row).</summary>
    public void Remove(Geohash cell, long userId)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(userId, out var waiting) && waiting.Fix is not null && waiting.Cell != cell) return;
            _pending[userId] = new Change(cell, null);
        }
    }

    /// <summary>Drops anything waiting for a user being erased.</summary>
    public void Forget(long userId)
    {
        lock (_gate) _pending.Remove(userId);
    }

    /// <summary>Writes everything waiting now.</summary>
    public async Task FlushAsync()
    {
        await _writing.WaitAsync();
        try
        {
            Dictionary<long, Change> batch;
            lock (_gate)
            {
                if (_pending.Count == 0) return;
                batch = _pending;
                _pending = new Dictionary<long, Change>();
            }

            // Transactions of bounded size, so other writers (case progress, outbox) get the database between them.
            var chunks = batch.Chunk(RowsPerTransaction).ToList();
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                try
                {
                    foreach (var cell in chunk.Where(c => c.Value.Fix is not null).Select(c => c.Value.Cell).Distinct()) index.Add(cell);
                    await store.FlushResidentsAsync(
                        chunk.Where(c => c.Value.Fix is not null).Select(c => (c.Value.Cell, c.Value.Fix!.Value)).ToList(),
                        chunk.Where(c => c.Value.Fix is null).Select(c => (c.Value.Cell, c.Key)).ToList());
                }
                catch
                {
                    // Put the unwritten rest back under anything newer, and let the next interval try again.
                    lock (_gate)
                        foreach (var (userId, change) in chunks.Skip(i).SelectMany(c => c)) _pending.TryAdd(userId, change);
                    throw;
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ResidentFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await TryFlushAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync();
    }

    private async Task TryFlushAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Writing positions failed; {Count} changes kept for the next try", Pending);
        }
    }

    private readonly record struct Change(Geohash Cell, ResidentFix? Fix);
}
