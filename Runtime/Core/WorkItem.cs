namespace Alerts.Runtime;

/// <summary>How a queued piece of work may overlap others of its activation.</summary>
internal enum Interleaving
{
    /// <summary>Runs alone (the default for requests, timers, activation and deactivation).</summary>
    Exclusive,

    /// <summary>May overlap other read-only work.</summary>
    ReadOnly,

    /// <summary>May overlap anything once the grain is active.</summary>
    Always,
}

/// <summary>One request, timer tick or lifecycle step waiting for its activation's turn.</summary>
internal sealed class WorkItem(Interleaving interleaving, Func<Grain?, Task> run, Action<Exception>? onRejected = null)
{
    public Interleaving Interleaving { get; } = interleaving;

    /// <summary>The body; it completes its own caller's task.</summary>
    public Func<Grain?, Task> Run { get; } = run;

    /// <summary>Fails the caller when the work can never run (activation failed).</summary>
    public Action<Exception> Reject { get; } = onRejected ?? (_ => { });

    /// <summary>Lifecycle work is never moved to another activation.</summary>
    public bool IsLifecycle { get; init; }

    /// <summary>Timer ticks die with their activation rather than move.</summary>
    public bool IsTimerTick { get; init; }
}
