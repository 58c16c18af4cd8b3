using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Write-behind for positions: cell grains hand every change here, and it writes them all every
/// ResidentFlushInterval (group commit: many grains, one writer, no lock contention; on PostgreSQL several
/// transactions at once) and once more when the host stops. A crash loses at most the last interval.
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

    /// <summary>New positions, each in its cell: one lock for a cell grain's whole report, not one per user.</summary>
    public void Upsert(ReadOnlySpan<(Geohash Cell, ResidentFix Fix)> changes)
    {
        lock (_gate)
            foreach (var (cell, fix) in changes) _pending[fix.UserId] = new Change(cell, fix);
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

            // Transactions of bounded size, so other writers (case progress, outbox) get the database between them; in
            // user order, so each transaction's rows share B-tree pages; several at once where the engine writes in
            // parallel (each user is in one transaction, so nobody's changes can overtake each other).
            var chunks = batch.OrderBy(c => c.Key).Chunk(RowsPerTransaction).ToList();
            var unwritten = new ConcurrentQueue<KeyValuePair<long, Change>[]>();
            Exception? failure = null;
            await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = store.ParallelWrites }, async (chunk, _) =>
            {
                try
                {
                    foreach (var cell in chunk.Where(c => c.Value.Fix is not null).Select(c => c.Value.Cell).Distinct()) index.Add(cell);
                    await store.FlushResidentsAsync(
                        chunk.Where(c => c.Value.Fix is not null).Select(c => (c.Value.Cell, c.Value.Fix!.Value)).ToList(),
                        chunk.Where(c => c.Value.Fix is null).Select(c => (c.Value.Cell, c.Key)).ToList());
                }
                catch (Exception e)
                {
                    unwritten.Enqueue(chunk);
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });

            if (failure is not null)
            {
                // Put the unwritten changes back under anything newer, and let the next interval try again.
                lock (_gate)
                    foreach (var (userId, change) in unwritten.SelectMany(c => c)) _pending.TryAdd(userId, change);
                ExceptionDispatchInfo.Throw(failure);
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
