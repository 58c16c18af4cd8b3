using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>
/// The app behind a gateway connection in the tests: records every call of the delivery callback, lets a
/// test hold a delivery back, and completes waits when what it received matches (no polling).
/// </summary>
public sealed class GatewayApp
{
    private readonly object _gate = new();
    private readonly Dictionary<long, int> _callsPerBatch = [];
    private readonly List<long> _users = [];
    private readonly List<(Func<GatewayApp, bool> Match, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Runs at the start of each delivery (e.g. to make one slow); null: deliveries complete at once.</summary>
    public Func<PushBatch, int, CancellationToken, Task>? BeforeDelivering { get; set; }

    /// <summary>The callback to hand to <see cref="GatewayConnection.ConnectAsync"/>.</summary>
    public async Task Deliver(PushBatch batch, CancellationToken cancellationToken)
    {
        int call;
        lock (_gate) call = _callsPerBatch[batch.BatchId] = _callsPerBatch.GetValueOrDefault(batch.BatchId) + 1;
        if (BeforeDelivering is { } before) await before(batch, call, cancellationToken);
        lock (_gate)
        {
            _users.AddRange(batch.UserIds);
            foreach (var waiter in _waiters.Where(w => w.Match(this)).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>How often each batch id was handed to the callback.</summary>
    public Dictionary<long, int> CallsPerBatch
    {
        get { lock (_gate) return new Dictionary<long, int>(_callsPerBatch); }
    }

    /// <summary>Every user of every completed delivery, repeats included.</summary>
    public List<long> Users
    {
        get { lock (_gate) return _users.ToList(); }
    }

    /// <summary>Completes when the completed deliveries hold at least <paramref name="count"/> users.</summary>
    public Task WaitForUsers(int count, TimeSpan timeout) => WaitFor(app => app._users.Count >= count, timeout, $"{count} users delivered");

    /// <summary>Completes when at least one delivery completed.</summary>
    public Task WaitForFirstDelivery(TimeSpan timeout) => WaitFor(app => app._users.Count > 0, timeout, "a first delivery");

    private Task WaitFor(Func<GatewayApp, bool> match, TimeSpan timeout, string what)
    {
        lock (_gate)
        {
            if (match(this)) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(timeout).ContinueWith(
                t => t.IsFaulted ? throw new TimeoutException($"waited {timeout} for {what}; have {Users.Count} users in {CallsPerBatch.Count} batches") : t,
                TaskScheduler.Default).Unwrap();
        }
    }
}
