using Alerts.Grains;
using Dapper;
using Orleans.Storage;

namespace Alerts.Silo;

/// <summary>
/// Orleans grain state in the embedded silo's SQLite file: one row per (state name, grain), the state
/// serialised by the silo's grain storage serializer, and an integer version as the ETag, so a write
/// from an activation that read an older version fails with <see cref="InconsistentStateException"/>.
/// </summary>
public sealed class SqliteGrainStorage(string name, SqliteEngine connections, IGrainStorageSerializer serializer) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string Table = """
        CREATE TABLE IF NOT EXISTS orleans_grain_state (
            state_name TEXT NOT NULL, grain_id TEXT NOT NULL, payload BLOB NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (state_name, grain_id)) WITHOUT ROWID;
        """;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{name}", ServiceLifecycleStage.RuntimeInitialize, CreateTableAsync);

    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync();
        await connection.ExecuteAsync(Table);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await connections.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<(byte[] Payload, long Version)?>(
            "SELECT payload, version FROM orleans_grain_state WHERE state_name = @stateName AND grain_id = @grain",
            new { stateName, grain = grainId.ToString() });
        if (row is not { } found)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(found.Payload));
        grainState.ETag = Tag(found.Version);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var version = await SwapAsync(stateName, grainId, grainState.ETag, payload);
        grainState.ETag = Tag(version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await connections.OpenAsync();
        var deleted = grainState.ETag is null
            ? await connection.ExecuteAsync("DELETE FROM orleans_grain_state WHERE state_name = @stateName AND grain_id = @grain", new { stateName, grain = grainId.ToString() })
            : await connection.ExecuteAsync("DELETE FROM orleans_grain_state WHERE state_name = @stateName AND grain_id = @grain AND version = @version",
                new { stateName, grain = grainId.ToString(), version = Version(grainState.ETag, grainId) });
        if (grainState.ETag is not null && deleted == 0) throw Conflict(stateName, grainId, grainState.ETag);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    // Insert when the caller has seen no row, update when it has seen the current version; anything else is a conflict.
    private async Task<long> SwapAsync(string stateName, GrainId grainId, string? eTag, byte[] payload)
    {
        await using var connection = await connections.OpenAsync();
        var grain = grainId.ToString();
        if (eTag is null)
        {
            var inserted = await connection.ExecuteAsync(
                "INSERT INTO orleans_grain_state (state_name, grain_id, payload, version) VALUES (@stateName, @grain, @payload, 1) ON CONFLICT DO NOTHING",
                new { stateName, grain, payload });
            if (inserted == 0) throw Conflict(stateName, grainId, eTag);
            return 1;
        }

        var expected = Version(eTag, grainId);
        var updated = await connection.ExecuteAsync(
            "UPDATE orleans_grain_state SET payload = @payload, version = version + 1 WHERE state_name = @stateName AND grain_id = @grain AND version = @expected",
            new { stateName, grain, payload, expected });
        if (updated == 0) throw Conflict(stateName, grainId, eTag);
        return expected + 1;
    }

    private static string Tag(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static long Version(string eTag, GrainId grainId) =>
        long.TryParse(eTag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException($"ETag \"{eTag}\" of {grainId} was not made by this storage", eTag, "");

    private InconsistentStateException Conflict(string stateName, GrainId grainId, string? eTag) =>
        new($"{name} storage: state {stateName} of {grainId} changed since it was read (ETag {eTag ?? "none"}); another activation wrote it", eTag ?? "", "current");
}
