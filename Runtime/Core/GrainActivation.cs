using Microsoft.Extensions.Logging;

namespace Alerts.Runtime;

/// <summary>
/// One live instance of a grain and its turn scheduler. Work runs on an exclusive task scheduler, so
/// turns (including continuations after awaits) never run in parallel; the queue decides which request
/// may start: one at a time unless the grain is reentrant or the methods allow interleaving.
/// </summary>
internal sealed class GrainActivation
{
    private enum Phase { Activating, Active, Deactivating, Deactivated }

    // Guards the queue and counters only; grain code never runs under it.
    private readonly object _gate = new();
    private readonly Queue<WorkItem> _queue = new();
    private List<GrainTimer>? _timers;
    private readonly TurnScheduler _scheduler = new();
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Phase _phase = Phase.Activating;
    private int _running;
    private int _runningReadOnly;
    private bool _deactivationRequested;
    private DeactivationReason _reason;
    private long _lastActiveTicks;

    public GrainActivation(GrainRuntime runtime, GrainId id, GrainClassInfo grainClass, Task? previousDeactivation)
    {
        Runtime = runtime;
        Id = id;
        GrainClass = grainClass;
        _lastActiveTicks = runtime.Time.GetUtcNow().UtcTicks;
        _queue.Enqueue(new WorkItem(Interleaving.Exclusive, _ => ActivateAsync(previousDeactivation)) { IsLifecycle = true });
    }

    public GrainRuntime Runtime { get; }

    public GrainId Id { get; }

    public GrainClassInfo GrainClass { get; }

    public Grain? Instance { get; private set; }

    /// <summary>Completes when the activation is gone (deactivated or failed to activate).</summary>
    public Task Deactivated => _deactivated.Task;

    /// <summary>Requests running or waiting (for stateless-worker placement).</summary>
    public int Load
    {
        get { lock (_gate) return _running + _queue.Count; }
    }

    /// <summary>Starts the activation step; called once the activation is in the catalog.</summary>
    public void Start()
    {
        lock (_gate) Pump();
    }

    /// <summary>Queues work; false when the activation is deactivating and the work must go to a new one.</summary>
    public bool TryEnqueue(WorkItem item)
    {
        lock (_gate)
        {
            if (_phase >= Phase.Deactivating) return false;
            if (_phase == Phase.Active && (item.Interleaving == Interleaving.Always || GrainClass.IsReentrant) && !item.IsLifecycle)
            {
                StartLocked(item);
                return true;
            }

            _queue.Enqueue(item);
            Pump();
            return true;
        }
    }

    /// <summary>Deactivate after the current turn (DeactivateOnIdle).</summary>
    public void RequestDeactivation(DeactivationReason reason = DeactivationReason.ApplicationRequested)
    {
        lock (_gate)
        {
            if (_deactivationRequested) return;
            _deactivationRequested = true;
            _reason = reason;
            if (_phase == Phase.Active && _running == 0) BeginDeactivationLocked();
        }
    }

    /// <summary>Starts deactivation if the activation has been idle for at least <paramref name="idleAge"/>.</summary>
    public bool TryCollect(DateTimeOffset now, TimeSpan idleAge)
    {
        lock (_gate)
        {
            if (GrainClass.KeepAlive || _phase != Phase.Active || _running > 0 || _queue.Count > 0 || _deactivationRequested) return false;
            if (now.UtcTicks - _lastActiveTicks < idleAge.Ticks) return false;
            _deactivationRequested = true;
            _reason = DeactivationReason.IdleCollection;
            BeginDeactivationLocked();
            return true;
        }
    }

    /// <summary>When the activation was last busy (for least-recently-used collection).</summary>
    public long LastActiveTicks
    {
        get { lock (_gate) return _lastActiveTicks; }
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period, Runtime.Time);
        lock (_gate) (_timers ??= []).Add(timer);
        return timer;
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_gate) _timers?.Remove(timer);
    }

    private void Pump()
    {
        while (_queue.Count > 0 && CanStart(_queue.Peek())) StartLocked(_queue.Dequeue());
    }

    private bool CanStart(WorkItem item)
    {
        if (_running == 0) return true;
        if (_phase != Phase.Active || item.IsLifecycle) return false;
        return item.Interleaving == Interleaving.Always
               || GrainClass.IsReentrant
               || (item.Interleaving == Interleaving.ReadOnly && _runningReadOnly == _running);
    }

    private void StartLocked(WorkItem item)
    {
        _running++;
        if (item.Interleaving == Interleaving.ReadOnly) _runningReadOnly++;
        var instance = Instance;
        var task = Task.Factory.StartNew(() => item.Run(instance), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
        task.ContinueWith(static (t, state) =>
        {
            var (activation, work) = ((GrainActivation, WorkItem))state!;
            activation.OnCompleted(work, t);
        }, (this, item), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnCompleted(WorkItem item, Task task)
    {
        if (task.IsFaulted && item.IsTimerTick)
            Runtime.Logger.LogWarning(task.Exception!.GetBaseException(), "Timer tick of {Grain} failed", Id);

        lock (_gate)
        {
            _running--;
            if (item.Interleaving == Interleaving.ReadOnly) _runningReadOnly--;
            if (!item.IsTimerTick) _lastActiveTicks = Runtime.Time.GetUtcNow().UtcTicks;
            if (_deactivationRequested && _phase == Phase.Active && _running == 0) BeginDeactivationLocked();
            Pump();
        }
    }

    private void BeginDeactivationLocked()
    {
        _phase = Phase.Deactivating;
        Runtime.OnDeactivating(this);
        _queue.Enqueue(new WorkItem(Interleaving.Exclusive, _ => DeactivateAsync()) { IsLifecycle = true });
        Pump();
    }

    private async Task ActivateAsync(Task? previousDeactivation)
    {
        try
        {
            // A previous activation of the same grain may still be writing its state.
            if (previousDeactivation is not null) await previousDeactivation;
            var (grain, states) = Runtime.CreateGrain(GrainClass, this);
            foreach (var state in states) await state.ReadStateAsync();
            Instance = grain;
            await grain.OnActivateAsync(Runtime.Stopping);
            lock (_gate) _phase = Phase.Active;
        }
        catch (Exception e)
        {
            Runtime.Logger.LogError(e, "Activation of {Grain} failed", Id);
            WorkItem[] stranded;
            lock (_gate)
            {
                _phase = Phase.Deactivated;
                stranded = _queue.ToArray();
                _queue.Clear();
            }

            foreach (var item in stranded) item.Reject(e);
            Runtime.OnDeactivated(this);
            _deactivated.TrySetResult();
        }
    }

    private async Task DeactivateAsync()
    {
        GrainTimer[] timers;
        lock (_gate) timers = _timers?.ToArray() ?? [];
        foreach (var timer in timers) timer.Dispose();
        try
        {
            if (Instance is not null) await Instance.OnDeactivateAsync(_reason, CancellationToken.None);
        }
        catch (Exception e)
        {
            Runtime.Logger.LogError(e, "OnDeactivateAsync of {Grain} failed", Id);
        }
        finally
        {
            lock (_gate) _phase = Phase.Deactivated;
            Runtime.OnDeactivated(this);
            _deactivated.TrySetResult();
        }
    }
}
