namespace Alerts.Runtime;

/// <summary>Where a reference sends its calls: a local activation, a local observer object, or a remote connection.</summary>
public interface ICallSink
{
    /// <summary>Delivers one call and completes with its boxed result.</summary>
    Task<object?> InvokeAsync(GrainMethod method, object?[] args);
}

/// <summary>A sink that can tell whether the object behind it can still be reached (observers).</summary>
public interface IObserverLiveness
{
    /// <summary>False once the observer was deleted or its client disconnected.</summary>
    bool IsAlive { get; }
}
