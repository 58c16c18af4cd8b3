namespace Alerts.Runtime;

/// <summary>
/// Base class of grain implementations, mirroring Orleans' <c>Grain</c>: lifecycle hooks, the key,
/// the grain factory, timers, reminders and <see cref="DeactivateOnIdle"/>. The runtime runs one turn
/// of an activation at a time, so grain code needs no locks.
/// </summary>
public abstract class Grain
{
    private GrainActivation? _activation;

    /// <summary>Creates and calls other grains.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime;

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => Activation.Id;

    internal GrainActivation Activation => _activation ?? throw new InvalidOperationException("The grain is not attached to an activation; create grains through the runtime.");

    internal void Attach(GrainActivation activation) => _activation = activation;

    /// <summary>Runs before the first call, after persistent state was read.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the activation is collected or the silo stops; a good place to write state.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The string key of this grain.</summary>
    public string GetPrimaryKeyString() => GrainId.Key;

    /// <summary>The integer key of this grain.</summary>
    public long GetPrimaryKeyLong() => long.Parse(GrainId.Key, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The GUID key of this grain.</summary>
    public Guid GetPrimaryKey() => Guid.ParseExact(GrainId.Key, "N");

    /// <summary>Deactivate once the current turn completes.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();

    /// <summary>
    /// A timer whose ticks run as turns of this grain and never overlap (a tick due while the last one
    /// is still queued or running is skipped). Dispose the result to stop it; it stops on deactivation.
    /// </summary>
    protected IDisposable RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>Registers or updates a durable reminder; it fires through <see cref="IRemindable.ReceiveReminder"/>, also after a silo restart.</summary>
    protected Task RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Activation.Runtime.Reminders.RegisterOrUpdateAsync(GrainId, reminderName, dueTime, period);

    /// <summary>Removes a durable reminder.</summary>
    protected Task UnregisterReminder(string reminderName) => Activation.Runtime.Reminders.UnregisterAsync(GrainId, reminderName);
}
