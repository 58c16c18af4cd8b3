using System.Threading.Channels;
using Alerts.GrainInterfaces;

namespace Alerts.Client;

/// <summary>
/// What a gateway does with the batches the hub pushes: queues them off the hub's one-way call, hands
/// each batch id to the app's delivery callback once (while remembered), and acknowledges what the
/// callback completed. A failed delivery is neither acknowledged nor remembered, so the hub's resend
/// after its AckTimeout is delivered again; a resend of a delivered batch is acknowledged again
/// (the first acknowledgement may have been lost) without a second delivery. A failed acknowledgement is
/// sent again after a backoff until the hub takes it or the deliveries stop.
/// </summary>
internal sealed class PushDeliveries
{
    /// <summary>The wait before the first retry of a failed acknowledgement; it doubles with each failure in a row.</summary>
    public static readonly TimeSpan FirstAckRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries: well inside the hub's AckTimeout (30 s by default), after which it resends anyway.</summary>
    public static readonly TimeSpan MaxAckRetryDelay = TimeSpan.FromSeconds(8);

    private readonly Func<PushBatch, CancellationToken, Task> _deliver;
    private readonly Func<List<long>, Task> _acknowledge;
    private readonly TimeProvider _time;
    private readonly Channel<PushBatch> _arrivals = Channel.CreateUnbounded<PushBatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<long> _acks = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots;
    // Never disposed: a delivery abandoned at the drain timeout may still hold its token, and a source without timers
    // or links holds nothing to release.
    private readonly CancellationTokenSource _stopping = new();

    // The delivery the current code runs inside, if any: StopAsync called from a delivery callback must not wait for itself.
    private readonly AsyncLocal<Task?> _ownDelivery = new();

    /// <summary>True when called from a delivery callback (its flow carries the delivery's own task).</summary>
    public bool InDelivery => _ownDelivery.Value is not null;

    // Guards the id sets and the delivery counters.
    private readonly object _gate = new();
    private readonly RecentBatchIds _delivered;
    private readonly HashSet<long> _delivering = [];

    // Ids whose acknowledgement failed, waiting for their retry: an acknowledgement of them that succeeds meanwhile (of
    // the hub's resend) takes them out, so the retry neither sends nor counts them again.
    private readonly HashSet<long> _retrying = [];
    private readonly HashSet<Task> _runningDeliveries = [];
    private readonly HashSet<Task> _runningAcks = [];
    private long _batchesDelivered;
    private long _usersDelivered;
    private long _duplicatesDropped;
    private long _acknowledged;
    private int _ackFailuresInARow;
    private Task _receiving = Task.CompletedTask;
    private Task _acking = Task.CompletedTask;

    /// <summary>Deliveries through <paramref name="deliver"/>, acknowledged through <paramref name="acknowledge"/>; <paramref name="time"/> times the retries.</summary>
    public PushDeliveries(Func<PushBatch, CancellationToken, Task> deliver, Func<List<long>, Task> acknowledge, int rememberedBatchIds, int maxConcurrentDeliveries, TimeProvider? time = null)
    {
        _deliver = deliver;
        _acknowledge = acknowledge;
        _time = time ?? TimeProvider.System;
        _delivered = new RecentBatchIds(rememberedBatchIds);
        _slots = new SemaphoreSlim(maxConcurrentDeliveries, maxConcurrentDeliveries);
        Receiver = new PushReceiver(_arrivals.Writer);
    }

    /// <summary>The observer to subscribe at the hub.</summary>
    public PushReceiver Receiver { get; }

    /// <summary>Raised when the delivery callback throws (the batch comes again after the hub's AckTimeout).</summary>
    public event Action<PushBatch, Exception>? DeliveryFailed;

    /// <summary>Batches the callback completed.</summary>
    public long BatchesDelivered => Interlocked.Read(ref _batchesDelivered);

    /// <summary>Users in the batches the callback completed.</summary>
    public long UsersDelivered => Interlocked.Read(ref _usersDelivered);

    /// <summary>Resends not handed to the callback.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicatesDropped);

    /// <summary>Batch ids whose acknowledgement the hub took.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Starts taking batches.</summary>
    public void Start()
    {
        _receiving = Task.Run(ReceiveAsync);
        _acking = Task.Run(AcknowledgeAsync);
    }

    /// <summary>
    /// Stops taking batches, cancels the running deliveries' token and waits for them at most
    /// <paramref name="drainTimeout"/> (never for the delivery it is called from), then sends the
    /// acknowledgements of those that completed, waiting at most <paramref name="ackWait"/> for the hub. True when no
    /// delivery is left running (none outlived the drain, and this was not called from one).
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan drainTimeout, TimeSpan ackWait)
    {
        _arrivals.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _receiving;
        var own = _ownDelivery.Value;
        var finished = own is null;
        try
        {
            // DeliverAsync catches everything, so WhenAll only ever ends by completing or by the timeout.
            await Task.WhenAll(Snapshot(_runningDeliveries).Where(d => d != own)).WaitAsync(drainTimeout);
        }
        catch (TimeoutException)
        {
            // A callback ignoring its token: left running, its batch unacknowledged, so the hub gives it to
            // another gateway once this one's lease lapses.
            finished = false;
        }

        _acks.Writer.TryComplete();
        await _acking;
        try
        {
            await Task.WhenAll(Snapshot(_runningAcks)).WaitAsync(ackWait);
        }
        catch (TimeoutException)
        {
            // The hub is unreachable: it resends those batches to another gateway once this one's lease lapses.
        }

        return finished;
    }

    private async Task ReceiveAsync()
    {
        try
        {
            await foreach (var batch in _arrivals.Reader.ReadAllAsync(_stopping.Token))
            {
                lock (_gate)
                {
                    if (_delivered.Contains(batch.BatchId))
                    {
                        _duplicatesDropped++;
                        _acks.Writer.TryWrite(batch.BatchId);
                        continue;
                    }

                    // Still being delivered: the first delivery acknowledges it when it completes.
                    if (!_delivering.Add(batch.BatchId))
                    {
                        _duplicatesDropped++;
                        continue;
                    }
                }

                await _slots.WaitAsync(_stopping.Token);
                Track(_runningDeliveries, StartDelivery(batch));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Runs the delivery off this loop; the delivery knows its own task (see _ownDelivery).
    private Task StartDelivery(PushBatch batch)
    {
        var own = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        var delivery = Task.Run(async () =>
        {
            _ownDelivery.Value = await own.Task;
            await DeliverAsync(batch);
        });
        own.SetResult(delivery);
        return delivery;
    }

    private async Task DeliverAsync(PushBatch batch)
    {
        try
        {
            await _deliver(batch, _stopping.Token);
        }
        catch (Exception e)
        {
            lock (_gate) _delivering.Remove(batch.BatchId);
            _slots.Release();
            try
            {
                DeliveryFailed?.Invoke(batch, e);
            }
            catch (Exception)
            {
                // A faulty handler must not stop deliveries.
            }

            return;
        }

        lock (_gate)
        {
            _delivering.Remove(batch.BatchId);
            _delivered.Add(batch.BatchId);
            _batchesDelivered++;
            _usersDelivered += batch.UserIds.Count;
        }

        _slots.Release();
        _acks.Writer.TryWrite(batch.BatchId);
    }

    // Everything waiting is sent in one call: no timer holds an acknowledgement back, and batches that
    // complete while a call is being made share the next one.
    private async Task AcknowledgeAsync()
    {
        var reader = _acks.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Distinct: a retried id and the acknowledgement of its resend may wait together.
            var ids = new HashSet<long>();
            while (reader.TryRead(out var id)) ids.Add(id);
            Track(_runningAcks, SendAcknowledgementsAsync(ids.ToList()));
        }
    }

    // A failed call (lost with the connection or the hub's silo) would leave these batches holding this gateway's
    // in-flight slots at the hub until its AckTimeout: they are queued again after a backoff, to go with whatever
    // waits then. Once stopping they are not retried again: the hub resends them after its AckTimeout (to another
    // gateway once this one's lease lapses), and since their ids are remembered a resend here is only acknowledged.
    private async Task SendAcknowledgementsAsync(List<long> ids)
    {
        if (await TryAcknowledgeAsync(ids) || _stopping.IsCancellationRequested) return;
        lock (_gate) _retrying.UnionWith(ids);
        try
        {
            await Task.Delay(AckRetryDelay(Interlocked.Increment(ref _ackFailuresInARow)), _time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: they go with the last acknowledgements, at once.
        }

        List<long> still;
        lock (_gate) still = ids.Where(_retrying.Remove).ToList();
        // The queue closes once stopping has drained the deliveries: too late to join it, they are sent once more directly.
        var closed = still.Where(id => !_acks.Writer.TryWrite(id)).ToList();
        if (closed.Count > 0) await TryAcknowledgeAsync(closed);
    }

    private async Task<bool> TryAcknowledgeAsync(List<long> ids)
    {
        try
        {
            await _acknowledge(ids);
        }
        catch (Exception)
        {
            return false;
        }

        lock (_gate) _retrying.ExceptWith(ids);
        Interlocked.Add(ref _acknowledged, ids.Count);
        Interlocked.Exchange(ref _ackFailuresInARow, 0);
        return true;
    }

    private static TimeSpan AckRetryDelay(int failuresInARow)
    {
        var delay = FirstAckRetryDelay;
        for (var i = 1; i < failuresInARow && delay < MaxAckRetryDelay; i++) delay *= 2;
        return delay < MaxAckRetryDelay ? delay : MaxAckRetryDelay;
    }

    private static void Track(HashSet<Task> running, Task task)
    {
        lock (running) running.Add(task);
        _ = task.ContinueWith(t => { lock (running) running.Remove(t); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static Task[] Snapshot(HashSet<Task> running)
    {
        lock (running) return running.ToArray();
    }
}
