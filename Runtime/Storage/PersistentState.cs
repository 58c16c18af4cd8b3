using System.Text.Json;

namespace Alerts.Runtime;

/// <summary>The runtime's <see cref="IPersistentState{TState}"/>: one named state of one grain, serialised as JSON.</summary>
internal sealed class PersistentState<TState>(IGrainStorage storage, GrainId grain, string stateName) : IPersistentState<TState>, IReadableState
{
    public TState State { get; set; } = CreateDefault();

    public string? Etag { get; private set; }

    public bool RecordExists => Etag is not null;

    public async Task ReadStateAsync()
    {
        var stored = await storage.ReadAsync(grain.GrainType, grain.Key, stateName).ConfigureAwait(false);
        State = stored is null ? CreateDefault() : JsonSerializer.Deserialize<TState>(stored.Json, WireJson.Options) ?? CreateDefault();
        Etag = stored?.ETag;
    }

    public async Task WriteStateAsync()
    {
        var json = JsonSerializer.Serialize(State, WireJson.Options);
        Etag = await storage.WriteAsync(grain.GrainType, grain.Key, stateName, json, Etag).ConfigureAwait(false);
    }

    public async Task ClearStateAsync()
    {
        await storage.ClearAsync(grain.GrainType, grain.Key, stateName, Etag).ConfigureAwait(false);
        Etag = null;
        State = CreateDefault();
    }

    private static TState CreateDefault() =>
        typeof(TState).IsValueType || typeof(TState).GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance<TState>() : default!;
}

/// <summary>What the runtime needs of a state to load it before activation.</summary>
internal interface IReadableState
{
    Task ReadStateAsync();
}
