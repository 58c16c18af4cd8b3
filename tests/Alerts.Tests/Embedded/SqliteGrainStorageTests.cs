using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Alerts.Tests;

/// <summary>The SQLite grain storage: ETag rules on the provider itself, and grain state across deactivation and restarts.</summary>
public sealed class SqliteGrainStorageTests
{
    private const string Storage = "sqlite";

    [Fact]
    public async Task Reading_nothing_gives_a_fresh_state_without_record_or_etag()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var state = new GrainState<SqliteCounterState>();

        await Provider(cluster).ReadStateAsync("counter", NewGrain(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal(0, state.State.Value);
    }

    [Fact]
    public async Task A_write_is_read_back_with_its_etag()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var storage = Provider(cluster);
        var grain = NewGrain();
        var written = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 7, Notes = ["a", "b"] });

        await storage.WriteStateAsync("counter", grain, written);
        var read = new GrainState<SqliteCounterState>();
        await storage.ReadStateAsync("counter", grain, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(7, read.State!.Value);
        Assert.Equal(["a", "b"], read.State!.Notes);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_names_the_grain()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var storage = Provider(cluster);
        var grain = NewGrain();
        var first = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 1 });
        await storage.WriteStateAsync("counter", grain, first);
        var stale = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 2 }) { ETag = first.ETag, RecordExists = true };
        await storage.WriteStateAsync("counter", grain, first);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, stale));

        Assert.Contains(grain.ToString(), conflict.Message);
        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Equal(stale.ETag, conflict.CurrentEtag);
        var read = new GrainState<SqliteCounterState>();
        await storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(1, read.State!.Value);
    }

    [Fact]
    public async Task A_write_claiming_nothing_is_stored_is_refused_when_a_row_exists()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var storage = Provider(cluster);
        var grain = NewGrain();
        await storage.WriteStateAsync("counter", grain, new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 1 }));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 2 })));
    }

    [Fact]
    public async Task A_write_with_an_etag_is_refused_when_nothing_is_stored()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var state = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 1 }) { ETag = "made-up" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => Provider(cluster).WriteStateAsync("counter", NewGrain(), state));
    }

    [Fact]
    public async Task Clearing_deletes_the_row_and_resets_the_state_and_an_etag_from_before_stays_stale()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var storage = Provider(cluster);
        var grain = NewGrain();
        var state = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 5 });
        await storage.WriteStateAsync("counter", grain, state);
        var before = state.ETag;

        await storage.ClearStateAsync("counter", grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Value);
        var read = new GrainState<SqliteCounterState>();
        await storage.ReadStateAsync("counter", grain, read);
        Assert.False(read.RecordExists);
        // Created again after the clear: the ETag read before the clear must not match the new row.
        await storage.WriteStateAsync("counter", grain, new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 6 }));
        var old = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 9 }) { ETag = before, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, old));
    }

    [Fact]
    public async Task Clearing_with_a_stale_etag_is_refused_and_keeps_the_row()
    {
        await using var cluster = await StartAsync(NewDatabase());
        var storage = Provider(cluster);
        var grain = NewGrain();
        var state = new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 5 });
        await storage.WriteStateAsync("counter", grain, state);
        var stale = new GrainState<SqliteCounterState>(new SqliteCounterState()) { ETag = state.ETag, RecordExists = true };
        await storage.WriteStateAsync("counter", grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", grain, new GrainState<SqliteCounterState>()));

        var read = new GrainState<SqliteCounterState>();
        await storage.ReadStateAsync("counter", grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(5, read.State!.Value);
    }

    [Fact]
    public async Task State_names_and_providers_do_not_see_each_others_rows()
    {
        var database = NewDatabase();
        await using var cluster = await StartAsync(database, silo => silo.AddSqliteGrainStorage("other", database));
        var grain = NewGrain();
        await Provider(cluster).WriteStateAsync("counter", grain, new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 1 }));

        var otherName = new GrainState<SqliteCounterState>();
        await Provider(cluster).ReadStateAsync("another", grain, otherName);
        var otherProvider = new GrainState<SqliteCounterState>();
        await Provider(cluster, "other").ReadStateAsync("counter", grain, otherProvider);

        Assert.False(otherName.RecordExists);
        Assert.False(otherProvider.RecordExists);
    }

    [Fact]
    public async Task Grain_state_survives_deactivation_and_a_cluster_restart_on_the_same_file()
    {
        var database = NewDatabase();
        await using (var cluster = await StartAsync(database))
        {
            var grain = cluster.Client.GetGrain<ISqliteCounterGrain>("survivor");
            await grain.Add(2);
            await grain.Add(3);
            await cluster.DeactivateAsync(grain);

            Assert.Equal(new SqliteCounterSnapshot(5, true), await grain.Get());
        }

        await using (var restarted = await StartAsync(database))
        {
            var grain = restarted.Client.GetGrain<ISqliteCounterGrain>("survivor");
            Assert.Equal(new SqliteCounterSnapshot(5, true), await grain.Get());
            await grain.Clear();
            Assert.Equal(new SqliteCounterSnapshot(0, false), await grain.Get());
        }

        await using (var again = await StartAsync(database))
        {
            Assert.Equal(new SqliteCounterSnapshot(0, false), await again.Client.GetGrain<ISqliteCounterGrain>("survivor").Get());
        }
    }

    [Fact]
    public async Task A_second_activation_on_the_same_file_cannot_overwrite_a_newer_state()
    {
        // Two clusters on one file stand for two activations of one grain, such as a silo that lost its lease but still runs.
        var database = NewDatabase();
        await using var first = await StartAsync(database);
        await using var second = await StartAsync(database);
        var one = first.Client.GetGrain<ISqliteCounterGrain>("contested");
        var two = second.Client.GetGrain<ISqliteCounterGrain>("contested");
        await one.Get();
        await two.Get();

        await one.Add(1);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => two.Add(10));

        Assert.Contains("contested", conflict.Message);
        await first.DeactivateAsync(one);
        Assert.Equal(new SqliteCounterSnapshot(1, true), await one.Get());
    }

    [Fact]
    public async Task The_default_storage_is_registered_and_its_missing_folder_created()
    {
        var file = Path.Combine(Path.GetDirectoryName(ScratchFolder.NewFile(".db"))!, Guid.NewGuid().ToString("N"), "nested", "alerts.db");
        await using var cluster = await StartAsync(NewDatabase(), silo => silo.AddSqliteGrainStorageAsDefault($"Data Source={file}"));
        var storage = cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorage>();
        var grain = NewGrain();

        await storage.WriteStateAsync("counter", grain, new GrainState<SqliteCounterState>(new SqliteCounterState { Value = 3 }));

        Assert.IsType<SqliteGrainStorage>(storage);
        Assert.True(File.Exists(file));
    }

    private static string NewDatabase() => $"Data Source={ScratchFolder.NewFile(".db")}";

    private static GrainId NewGrain() => GrainId.Create("sqlitecounter", Guid.NewGuid().ToString("N"));

    private static IGrainStorage Provider(InProcessTestCluster cluster, string name = Storage) =>
        cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(name);

    private static async Task<InProcessTestCluster> StartAsync(string database, Action<ISiloBuilder>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage(Storage, database);
            configure?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

/// <summary>What <see cref="ISqliteCounterGrain"/> holds.</summary>
[GenerateSerializer]
public sealed class SqliteCounterState
{
    [Id(0)]
    public int Value { get; set; }

    [Id(1)]
    public List<string> Notes { get; set; } = [];
}

/// <summary>The counter's value and whether its storage row exists.</summary>
[GenerateSerializer]
public sealed record SqliteCounterSnapshot([property: Id(0)] int Value, [property: Id(1)] bool RecordExists);

/// <summary>A grain whose state lives in the SQLite grain storage.</summary>
public interface ISqliteCounterGrain : IGrainWithStringKey
{
    Task Add(int amount);

    Task<SqliteCounterSnapshot> Get();

    Task Clear();
}

/// <summary>Adds to a persisted counter, writing after every change.</summary>
public sealed class SqliteCounterGrain([PersistentState("counter", "sqlite")] IPersistentState<SqliteCounterState> counter) : Grain, ISqliteCounterGrain
{
    public async Task Add(int amount)
    {
        counter.State.Value += amount;
        await counter.WriteStateAsync();
    }

    public Task<SqliteCounterSnapshot> Get() => Task.FromResult(new SqliteCounterSnapshot(counter.State.Value, counter.RecordExists));

    public Task Clear() => counter.ClearStateAsync();
}
