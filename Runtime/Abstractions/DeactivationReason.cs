namespace Alerts.Runtime;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReason
{
    /// <summary>Idle longer than the collection age, or over the activation limit.</summary>
    IdleCollection,

    /// <summary>The grain called <c>DeactivateOnIdle()</c>.</summary>
    ApplicationRequested,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>Activation failed.</summary>
    ActivationFailed,
}
