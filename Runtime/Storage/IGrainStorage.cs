namespace Alerts.Runtime;

/// <summary>A stored state row: the JSON payload and its version.</summary>
public sealed record StoredState(string Json, string ETag);

/// <summary>Grain state rows with optimistic concurrency: every write names the version it replaces.</summary>
public interface IGrainStorage
{
    /// <summary>The row, or null when none exists.</summary>
    Task<StoredState?> ReadAsync(string grainType, string grainKey, string stateName);

    /// <summary>Writes the row if its version is still <paramref name="etag"/> (null: must not exist); returns the new version.</summary>
    Task<string> WriteAsync(string grainType, string grainKey, string stateName, string json, string? etag);

    /// <summary>Deletes the row if its version is still <paramref name="etag"/>.</summary>
    Task ClearAsync(string grainType, string grainKey, string stateName, string? etag);
}
