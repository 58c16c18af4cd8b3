using Alerts.GrainInterfaces;

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
    private readonly List<(int Count, bool Pushes, TaskCompletionSource Done)> _waiters = [];
    // Users of distinct batches whose delivery has finished (acknowledgement answered): what waiters count.
    private int _settledPushes;

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
        var added = 0;
        lock (_gate)
        {
            if (_batches.TryAdd(batch.BatchId, batch))
            {
                _pushes.AddRange(batch.UserIds);
                added = batch.UserIds.Count;
            }
        }

        if (acknowledge?.Invoke(batch) ?? true) await grains.GetGrain<IPushHubGrain>(0).Acknowledge([batch.BatchId]);

        // Counted for waiters only after the acknowledgement is in, so a test that wakes up (or finds the count reached
        // when it starts waiting) sees the hub's counters settled.
        lock (_gate)
        {
            Deliveries++;
            _settledPushes += added;
            foreach (var waiter in _waiters.Where(w => (w.Pushes ? _settledPushes : Deliveries) >= w.Count)) waiter.Done.TrySetResult();
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> deliveries (repeats included) were handled.</summary>
    public Task WaitForDeliveries(int count) => Wait(count, pushes: false);

    /// <summary>Completes once at least <paramref name="count"/> users were pushed and their batches' acknowledgements answered.</summary>
    public Task WaitForPushes(long count) => Wait((int)count, pushes: true);

    private Task Wait(int count, bool pushes)
    {
        lock (_gate)
        {
            if ((pushes ? _settledPushes : Deliveries) >= count) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, pushes, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(120));
        }
    }
}
