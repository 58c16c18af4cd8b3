using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Watches a case and completes waits when its progress matches: no polling, no sleeping.</summary>
public sealed class ProgressWatcher : ICaseObserver
{
    private readonly object _gate = new();
    private readonly List<(Func<CaseProgress, bool> Match, TaskCompletionSource<CaseProgress> Done)> _waiters = [];
    private CaseProgress? _latest;

    public Task ProgressChanged(CaseProgress progress)
    {
        lock (_gate)
        {
            _latest = progress;
            foreach (var waiter in _waiters.Where(w => w.Match(progress)).ToList())
            {
                waiter.Done.TrySetResult(progress);
                _waiters.Remove(waiter);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The first progress (including the latest seen) that matches.</summary>
    public Task<CaseProgress> WaitFor(Func<CaseProgress, bool> match)
    {
        lock (_gate)
        {
            if (_latest is not null && match(_latest)) return Task.FromResult(_latest);
            var done = new TaskCompletionSource<CaseProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            // Generous: the suite runs silo and console processes beside in-process silos on two cores.
            return done.Task.WaitAsync(TimeSpan.FromSeconds(120)).ContinueWith(t => t.IsFaulted && t.Exception!.InnerException is TimeoutException
                ? throw new TimeoutException($"the case did not reach the expected progress within 120 s; last seen: {Latest()}")
                : t, TaskScheduler.Default).Unwrap();
        }
    }

    private string Latest()
    {
        lock (_gate) return _latest?.ToString() ?? "nothing";
    }
}
