using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>A gateway in this process behind a real client: drops repeated batch ids, acknowledges every batch (unless told not to).</summary>
public sealed class RemoteGateway(IGrainFactory grains, bool acknowledge = true) : IPushGateway
{
    private readonly object _gate = new();
    private readonly HashSet<long> _batchIds = [];
    private readonly List<long> _pushes = [];
    private readonly TaskCompletionSource _firstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public Task FirstBatch => _firstBatch.Task.WaitAsync(TimeSpan.FromSeconds(120));

    /// <summary>Every user pushed, once per distinct batch id.</summary>
    public List<long> Pushes
    {
        get { lock (_gate) return _pushes.ToList(); }
    }

    public Task Deliver(PushBatch batch)
    {
        lock (_gate)
        {
            if (_batchIds.Add(batch.BatchId)) _pushes.AddRange(batch.UserIds);
            foreach (var waiter in _waiters.Where(w => _pushes.Count >= w.Count)) waiter.Done.TrySetResult();
        }

        _firstBatch.TrySetResult();
        // Acknowledged off the delivery: a client runs one observer call at a time, so awaiting the hub here
        // would let one batch through per round trip (as the product's GatewayConnection also avoids).
        if (acknowledge) _ = AcknowledgeAsync(batch.BatchId);
        return Task.CompletedTask;
    }

    private async Task AcknowledgeAsync(long batchId)
    {
        try
        {
            await grains.GetGrain<IPushHubGrain>(0).Acknowledge([batchId]);
        }
        catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or OrleansException)
        {
            // The hub's silo went away before the ack: the batch will come again with the same id.
        }
    }

    /// <summary>Completes once <paramref name="count"/> users were pushed; fails naming how many were after <paramref name="within"/> (90 s by default).</summary>
    public Task WaitForPushes(int count, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(90);
        lock (_gate)
        {
            if (_pushes.Count >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(limit).ContinueWith(t => t.IsFaulted && t.Exception!.InnerException is TimeoutException
                ? throw new TimeoutException($"the gateway received {Pushes.Count} of {count} pushes within {limit.TotalSeconds:0} s")
                : t, TaskScheduler.Default).Unwrap();
        }
    }
}
