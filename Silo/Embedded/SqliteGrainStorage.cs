using Alerts.Grains;
using Dapper;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Alerts.Silo;

/// <summary>Orleans grain storage in the embedded silo's SQLite file, with ETags that make a stale activation's write fail.</summary>
/// <remarks>
/// One row per (provider, state name, grain id); the grain id already carries the grain type. Every write stores a fresh
/// random ETag, so an ETag never comes back after a clear and a re-create, which a restarting version counter would allow.
/// </remarks>
public sealed class SqliteGrainStorage(string name, SqliteEngine database, IGrainStorageSerializer serializer, IActivatorProvider activators)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    // A rowid table rather than WITHOUT ROWID: payloads can be large, which WITHOUT ROWID tables handle poorly.
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS orleans_grain_state (
            provider TEXT NOT NULL,
            state_name TEXT NOT NULL,
            grain_id TEXT NOT NULL,
            etag TEXT NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (provider, state_name, grain_id))
        """;

    private const string Key = "provider = @name AND state_name = @stateName AND grain_id = @grain";

    /// <summary>Creates the table before the silo can activate a grain that reads its state.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{name}", ServiceLifecycleStage.RuntimeInitialize, CreateTableAsync);

    /// <summary>Creates the state table if it is missing; safe to run any number of times.</summary>
    public async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CreateTable, cancellationToken: cancellationToken));
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<StoredState>(
            $"SELECT etag, payload FROM orleans_grain_state WHERE {Key}", new { name, stateName, grain = grainId.ToString() });
        if (row is null)
        {
            Reset(grainState);
            return;
        }

        // A serializer may give null for an empty payload; the grain still gets a usable state object, as with Orleans' own providers.
        grainState.State = serializer.Deserialize<T>(new BinaryData(row.Payload)) ?? New<T>();
        grainState.ETag = row.ETag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var eTag = NewETag();
        var parameters = new { name, stateName, grain = grainId.ToString(), payload, eTag, expected = grainState.ETag };
        await using var connection = await database.OpenAsync();
        // A null ETag claims "nothing is stored", so only an insert may succeed; otherwise only the row carrying that ETag may change.
        var changed = grainState.ETag is null
            ? await connection.ExecuteAsync(
                "INSERT INTO orleans_grain_state (provider, state_name, grain_id, etag, payload) VALUES (@name, @stateName, @grain, @eTag, @payload) ON CONFLICT DO NOTHING",
                parameters)
            : await connection.ExecuteAsync($"UPDATE orleans_grain_state SET etag = @eTag, payload = @payload WHERE {Key} AND etag = @expected", parameters);
        if (changed == 0) throw await ConflictAsync(connection, "write", stateName, grainId, grainState.ETag);
        grainState.ETag = eTag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var parameters = new { name, stateName, grain = grainId.ToString(), expected = grainState.ETag };
        await using var connection = await database.OpenAsync();
        if (grainState.ETag is null)
        {
            // Clearing what the caller saw as absent: fine while it is still absent, a conflict if someone wrote it meanwhile.
            var exists = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM orleans_grain_state WHERE {Key}", parameters);
            if (exists > 0) throw await ConflictAsync(connection, "clear", stateName, grainId, grainState.ETag);
        }
        else if (await connection.ExecuteAsync($"DELETE FROM orleans_grain_state WHERE {Key} AND etag = @expected", parameters) == 0)
        {
            throw await ConflictAsync(connection, "clear", stateName, grainId, grainState.ETag);
        }

        Reset(grainState);
    }

    private void Reset<T>(IGrainState<T> grainState)
    {
        grainState.State = New<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    // Orleans' activator, as its own providers use, so state types need no public parameterless constructor of their own.
    private T New<T>() => activators.GetActivator<T>().Create();

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private async Task<InconsistentStateException> ConflictAsync(System.Data.Common.DbConnection connection, string operation, string stateName, GrainId grainId, string? expected)
    {
        // Read the stored ETag only now, for the message: the conditional statement above already decided the outcome.
        var stored = await connection.ExecuteScalarAsync<string?>(
            $"SELECT etag FROM orleans_grain_state WHERE {Key}", new { name, stateName, grain = grainId.ToString() });
        return new InconsistentStateException(
            $"SQLite grain storage '{name}': {operation} of state '{stateName}' of grain {grainId} refused: stored ETag {stored ?? "(none)"}, the caller's ETag {expected ?? "(none)"}. Another activation or writer changed it.",
            stored,
            expected);
    }

    /// <summary>A stored row as Dapper reads it.</summary>
    private sealed record StoredState(string ETag, byte[] Payload);
}
