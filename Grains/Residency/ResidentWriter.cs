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
/// The silo's one writer of positions: cell grains hand every change here, and it writes them all in one go (group
/// commit: many grains, one writer, no lock contention; on PostgreSQL several transactions at once) as soon as a report
/// waits for them (<see cref="WhenWrittenAsync"/>), else every ResidentFlushInterval, and once more when the host stops.
/// Reports are acknowledged only once written, so a crash loses no acknowledged position.
/// </summary>
public sealed class ResidentWriter(ResidentStore store, ResidentCellIndex index, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<ResidentWriter> logger) : BackgroundService
{
    private const int RowsPerTransaction = 20_000;
    private const int MinRowsPerTransaction = 1_000;
    private const int SmallBatch = 1_000;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private Dictionary<long, Change> _pending = new();
    // The last written batch, emptied, for the next flush to fill: under load the batches are large, and a new
    // dictionary grown to that size each flush was a large-object allocation that drove full collections.
    private Dictionary<long, Change>? _spare;
    // The batch being written, until it is in the table (or back in _pending after a failure); under _gate.
    private Dictionary<long, Change>? _writingBatch;

    // Users erased while the batch being written holds them: not put back should that write fail.
    private readonly HashSet<long> _forgotten = [];
    // Completes when the flush that takes the changes pending now has written them (or fails with its error).
    private TaskCompletionSource _nextFlush = NewFlush();
    // A flush is wanted by a waiter / one started for waiters is running; both under _gate.
    private bool _flushWanted;
    private bool _flushingForWaiters;

    /// <summary>This writer's id: another process (a restarted silo) has another, so a change handed to a writer that died is never taken as written.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    // Set by a write that fails, cleared by one that succeeds; under _gate.
    private WriteFailure? _failing;

    /// <summary>Since when, and with what latest error, writes have been failing; null while they succeed.</summary>
    public WriteFailure? Failing
    {
        get { lock (_gate) return _failing; }
    }

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

    /// <summary>
    /// The newest position handed over for a user and not yet in the table (waiting or being written); false when there
    /// is none, and so the table holds the newest this silo was given. Departures are not positions and are passed over.
    /// </summary>
    public bool TryGetUnwritten(long userId, out ResidentFix fix)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(userId, out var waiting) && waiting.Fix is { } newest)
            {
                fix = newest;
                return true;
            }

            if (_writingBatch is not null && _writingBatch.TryGetValue(userId, out var writing) && writing.Fix is { } written)
            {
                fix = written;
                return true;
            }
        }

        fix = default;
        return false;
    }

    /// <summary>
    /// Drops anything waiting for a user being erased, and completes once the write under way (which may hold them)
    /// is over: its rows are then in the table for the erasure to delete, and none is put back for a later write.
    /// </summary>
    public Task ForgetAsync(long userId)
    {
        lock (_gate)
        {
            _pending.Remove(userId);
            if (_writingBatch?.ContainsKey(userId) == true) _forgotten.Add(userId);
        }

        // The next write starts only after the one under way has ended.
        return WhenWrittenAsync();
    }

    /// <summary>
    /// Completes once everything handed over before the call is written; fails if the write that takes it fails (the
    /// changes then wait for the next). Callers waiting together share one flush: one runs at a time, and the next
    /// takes all that arrived meanwhile, so under load each flush grows instead of the flushes multiplying.
    /// </summary>
    public Task WhenWrittenAsync()
    {
        Task written;
        bool start;
        lock (_gate)
        {
            written = _nextFlush.Task;
            _flushWanted = true;
            start = !_flushingForWaiters;
            _flushingForWaiters = true;
        }

        if (start) _ = Task.Run(FlushWhileWantedAsync);
        return written;
    }

    /// <summary>
    /// Completes once everything handed over before the call is written, by whichever write comes next (the timer's
    /// or one a waiter asks for); asks for none, so it never splits the writes reports wait for together.
    /// </summary>
    public Task WhenNextWrittenAsync()
    {
        lock (_gate) return _nextFlush.Task;
    }

    /// <summary>Writes everything waiting now.</summary>
    public async Task FlushAsync()
    {
        await _writing.WaitAsync();
        try
        {
            Dictionary<long, Change> batch;
            TaskCompletionSource flushed;
            lock (_gate)
            {
                flushed = _nextFlush;
                _nextFlush = NewFlush();
                batch = _pending;
                _pending = _spare ?? new Dictionary<long, Change>();
                _spare = null;
                // Under load the next batch is about as large as this one: room for it now rather than step by step as
                // it fills, each step a large-object copy under the lock every cell grain takes (up to one flush's worth
                // of transactions: a backlog after an outage is not the next batch's size).
                if (batch.Count >= SmallBatch) _pending.EnsureCapacity(Math.Min(batch.Count, RowsPerTransaction * store.ParallelWrites));
                _writingBatch = batch;
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception e)
            {
                lock (_gate) _failing = new WriteFailure(_failing?.Since ?? time.GetUtcNow(), e.Message);
                flushed.TrySetException(e);
                throw;
            }
            finally
            {
                // Written, or what was not is back in _pending by now.
                lock (_gate)
                {
                    _writingBatch = null;
                    _forgotten.Clear();
                }
            }

            lock (_gate) _failing = null;
            flushed.TrySetResult();
            Recycle(batch);
        }
        finally
        {
            _writing.Release();
        }
    }

    // Keeps a written batch's dictionary for the next flush while flushes are large. A small one means the load is
    // over: the spare is dropped and the one filling now trimmed, so an idle silo does not hold peak-sized dictionaries.
    private void Recycle(Dictionary<long, Change> batch)
    {
        if (batch.Count >= SmallBatch)
        {
            batch.Clear();
            lock (_gate) _spare = batch;
            return;
        }

        lock (_gate)
        {
            _spare = null;
            _pending.TrimExcess();
        }
    }

    private async Task WriteAsync(Dictionary<long, Change> batch)
    {
        if (batch.Count == 0) return;

        // Transactions of bounded size, so other writers (case progress, outbox) get the database between them; in
        // user order, so each transaction's rows share B-tree pages; several at once where the engine writes in
        // parallel (each user is in one transaction, so nobody's changes can overtake each other).
        // A small batch (a few reports waiting) is still split over the engine's parallel transactions.
        var rows = Math.Clamp((batch.Count + store.ParallelWrites - 1) / store.ParallelWrites, MinRowsPerTransaction, RowsPerTransaction);
        var changes = batch.ToArray();
        var users = new long[changes.Length];
        for (var i = 0; i < changes.Length; i++) users[i] = changes[i].Key;
        Array.Sort(users, changes);
        var chunks = new List<ArraySegment<KeyValuePair<long, Change>>>();
        for (var start = 0; start < changes.Length; start += rows) chunks.Add(new(changes, start, Math.Min(rows, changes.Length - start)));
        var unwritten = new ConcurrentQueue<ArraySegment<KeyValuePair<long, Change>>>();
        Exception? failure = null;
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = store.ParallelWrites }, async (chunk, _) =>
        {
            try
            {
                var upserts = new List<(Geohash Cell, ResidentFix Fix)>(chunk.Count);
                var removals = new List<(Geohash Cell, long UserId)>();
                foreach (var (userId, change) in chunk)
                {
                    if (change.Fix is { } fix) upserts.Add((change.Cell, fix));
                    else removals.Add((change.Cell, userId));
                }

                foreach (var (cell, _) in upserts) index.Add(cell);
                await store.FlushResidentsAsync(upserts, removals);
            }
            catch (Exception e)
            {
                unwritten.Enqueue(chunk);
                Interlocked.CompareExchange(ref failure, e, null);
            }
        });

        if (failure is not null)
        {
            // Put the unwritten changes back under anything newer, for the next flush to try again. A removal from another
            // cell that came meanwhile is not newer than an unwritten position: it is the departure of the move that
            // position made (as in Remove), and taking it instead would delete the old row and lose the new one.
            lock (_gate)
                foreach (var (userId, change) in unwritten.SelectMany(c => c))
                    if (!_forgotten.Contains(userId) && !_pending.TryAdd(userId, change) && change.Fix is not null && _pending[userId] is { Fix: null } removal && removal.Cell != change.Cell)
                        _pending[userId] = change;
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    // Flushes until no waiter arrived during the last flush; its errors reach the waiters, not this loop.
    private async Task FlushWhileWantedAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                if (!_flushWanted)
                {
                    _flushingForWaiters = false;
                    return;
                }

                _flushWanted = false;
            }

            await TryFlushAsync();
        }
    }

    private static TaskCompletionSource NewFlush() => new(TaskCreationOptions.RunContinuationsAsynchronously);

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
