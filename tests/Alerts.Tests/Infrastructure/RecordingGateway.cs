using Alerts.GrainInterfaces;
using Alerts.Runtime;

namespace Alerts.Tests;

/// <summary>
/// A mobile gateway for tests: records every batch, drops repeats by batch id as a real gateway must,
/// acknowledges (unless told to skip some), and signals when a number of users has been pushed.
/// </summary>
public sealed class RecordingGateway(IGrainFactory grains, Func<PushBatch, bool>? acknowledge = null) : IPushGateway
{
    private readonly object _gate = new();
    private readonly Dictionary<long, PushBatch> _batches = new();
    private readonly List<long> _pushes = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Deliveries including repeats of a batch id.</summary>
    public int Deliveries { get; private set; }

    /// <summary>Every user pushed, once per distinct batch (a user appearing twice here was pushed twice).</summary>
    public List<long> Pushes
    {
        get { lock (_gate) return _pushes.ToList(); }
    }

    /// <summary>Distinct batches received.</summary>
    public List<PushBatch> Batches
    {
        get { lock (_gate) return _batches.Values.OrderBy(b => b.BatchId).ToList(); }
    }

    public async Task Deliver(PushBatch batch)
    {
        lock (_gate)
        {
            Deliveries++;
            if (_batches.TryAdd(batch.BatchId, batch)) _pushes.AddRange(batch.UserIds);
            foreach (var waiter in _waiters.Where(w => _pushes.Count >= w.Count)) waiter.Done.TrySetResult();
        }

        if (acknowledge?.Invoke(batch) ?? true) await grains.GetGrain<IPushHubGrain>(0).Acknowledge([batch.BatchId]);
    }

    /// <summary>Completes once at least <paramref name="count"/> users were pushed.</summary>
    public Task WaitForPushes(long count)
    {
        lock (_gate)
        {
            if (_pushes.Count >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add(((int)count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }
}
