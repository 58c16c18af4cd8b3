namespace Alerts.Runtime;

/// <summary>A grain timer: each tick is queued as a turn; a tick is skipped while the previous one is still queued or running.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _timer;
    private int _busy;

    public GrainTimer(GrainActivation activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period, TimeProvider time)
    {
        _activation = activation;
        _callback = callback;
        _timer = time.CreateTimer(static s => ((GrainTimer)s!).Tick(), this, dueTime, period <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period);
    }

    private void Tick()
    {
        if (_stop.IsCancellationRequested || Interlocked.Exchange(ref _busy, 1) == 1) return;
        var item = new WorkItem(Interleaving.Exclusive, async _ =>
        {
            try
            {
                if (!_stop.IsCancellationRequested) await _callback(_stop.Token);
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        }, _ => Volatile.Write(ref _busy, 0)) { IsTimerTick = true };
        if (!_activation.TryEnqueue(item)) Dispose();
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }
}
