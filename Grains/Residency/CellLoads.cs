using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>
/// Coalesces the load queries of cell grains that activate at the same time into one query per batch. A fresh
/// population (or a silo taking over a dead one's grains) activates thousands of them in a burst;
/// one round trip each would make the database's latency the ingest rate.
/// </summary>
public sealed class CellLoads(ResidentStore store)
{
    // Bounded so one statement stays small (two parameters per block) and a batch of city blocks does not wait for all.
    private const int MaxCellsPerQuery = 32;
    // Two batches in flight: one travels while the next fills.
    private const int MaxQueriesInFlight = 2;
    private readonly object _gate = new();
    private readonly Queue<(Geohash Cell, TaskCompletionSource<List<ResidentFix>> Done)> _waiting = new();
    private int _inFlight;

    /// <summary>The residents of a block, loaded together with whatever other blocks asked meanwhile.</summary>
    public Task<List<ResidentFix>> LoadAsync(Geohash cell)
    {
        var done = new TaskCompletionSource<List<ResidentFix>>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Enqueue((cell, done));
            start = _inFlight < MaxQueriesInFlight;
            if (start) _inFlight++;
        }

        // Off the calling grain's scheduler: the loop serves every cell of the silo.
        if (start) _ = Task.Run(DrainAsync);
        return done.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<(Geohash Cell, TaskCompletionSource<List<ResidentFix>> Done)>();
            lock (_gate)
            {
                while (batch.Count < MaxCellsPerQuery && _waiting.TryDequeue(out var next)) batch.Add(next);
                if (batch.Count == 0)
                {
                    _inFlight--;
                    return;
                }
            }

            try
            {
                var rows = await store.LoadBlocksAsync(batch.Select(b => b.Cell).ToList());
                foreach (var (cell, done) in batch) done.TrySetResult(rows[cell.Packed]);
            }
            catch (Exception e)
            {
                // Each activation in the batch fails with the store's error, as it would have alone.
                foreach (var (_, done) in batch) done.TrySetException(e);
            }
        }
    }
}
