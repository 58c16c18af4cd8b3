namespace Alerts.Runtime;

/// <summary>A grain's named persistent state, as Orleans' IPersistentState: read before activation, written on demand.</summary>
public interface IPersistentState<TState>
{
    /// <summary>The current value (a fresh default when nothing is stored).</summary>
    TState State { get; set; }

    /// <summary>The version of the stored row this value was read from or last written as; null when none exists.</summary>
    string? Etag { get; }

    /// <summary>True when a stored row exists.</summary>
    bool RecordExists { get; }

    /// <summary>Reloads from storage.</summary>
    Task ReadStateAsync();

    /// <summary>Writes <see cref="State"/>; throws <see cref="InconsistentStateException"/> when the stored version moved on since it was read.</summary>
    Task WriteStateAsync();

    /// <summary>Deletes the stored row and resets <see cref="State"/>.</summary>
    Task ClearStateAsync();
}
