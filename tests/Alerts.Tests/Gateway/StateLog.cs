using Alerts.Client;

namespace Alerts.Tests;

/// <summary>Records a gateway connection's state changes in order and completes waits when they match.</summary>
public sealed class StateLog
{
    private readonly object _gate = new();
    private readonly List<GatewayState> _states = [];
    private readonly List<(Func<IReadOnlyList<GatewayState>, bool> Match, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Starts recording <paramref name="connection"/>, beginning with its current state.</summary>
    public StateLog(GatewayConnection connection)
    {
        lock (_gate)
        {
            connection.StateChanged += Record;
            _states.Add(connection.State);
        }
    }

    /// <summary>The states seen so far, in order.</summary>
    public List<GatewayState> States
    {
        get { lock (_gate) return _states.ToList(); }
    }

    /// <summary>Completes when a state equal to <paramref name="state"/> is recorded after position <paramref name="after"/>.</summary>
    public Task WaitFor(GatewayState state, int after, TimeSpan timeout)
    {
        bool Match(IReadOnlyList<GatewayState> states) => states.Skip(after + 1).Contains(state);
        lock (_gate)
        {
            if (Match(_states)) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((Match, done));
            return done.Task.WaitAsync(timeout).ContinueWith(
                t => t.IsFaulted ? throw new TimeoutException($"waited {timeout} for {state}; states: {string.Join(", ", States)}") : t,
                TaskScheduler.Default).Unwrap();
        }
    }

    private void Record(GatewayState state)
    {
        lock (_gate)
        {
            _states.Add(state);
            foreach (var waiter in _waiters.Where(w => w.Match(_states)).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
