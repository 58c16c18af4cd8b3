using Alerts.Grains;
using System.Collections.Concurrent;
using Alerts.Silo;
using Alerts.TestSupport;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Alerts.Tests;

/// <summary>The SQLite reminder table: the <see cref="IReminderTable"/> contract, and reminders that outlive their cluster.</summary>
public sealed class SqliteReminderTableTests
{
    [Fact]
    public async Task An_upserted_reminder_reads_back_exactly()
    {
        var table = await StartTableAsync(NewDatabase());
        var entry = Entry(NewGrain(), "expiry", new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567), TimeSpan.FromMinutes(90).Add(TimeSpan.FromTicks(3)));

        var eTag = await table.UpsertRow(entry);
        var read = await table.ReadRow(entry.GrainId, "expiry");

        Assert.NotNull(eTag);
        Assert.NotNull(read);
        Assert.Equal(entry.GrainId, read.GrainId);
        Assert.Equal("expiry", read.ReminderName);
        Assert.Equal(entry.StartAt, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(entry.Period, read.Period);
        Assert.Equal(eTag, read.ETag);
        Assert.Null(await table.ReadRow(entry.GrainId, "other"));
    }

    [Fact]
    public async Task Reading_by_grain_gives_only_that_grains_reminders()
    {
        var table = await StartTableAsync(NewDatabase());
        var grain = NewGrain();
        await table.UpsertRow(Entry(grain, "a"));
        await table.UpsertRow(Entry(grain, "b"));
        await table.UpsertRow(Entry(NewGrain(), "a"));

        var rows = await table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
    }

    [Fact]
    public async Task An_upsert_replaces_the_row_and_its_etag()
    {
        var table = await StartTableAsync(NewDatabase());
        var grain = NewGrain();
        var first = await table.UpsertRow(Entry(grain, "expiry", period: TimeSpan.FromMinutes(1)));

        var second = await table.UpsertRow(Entry(grain, "expiry", period: TimeSpan.FromMinutes(2)));

        Assert.NotEqual(first, second);
        var row = Assert.Single((await table.ReadRows(grain)).Reminders);
        Assert.Equal(TimeSpan.FromMinutes(2), row.Period);
        Assert.Equal(second, row.ETag);
    }

    [Fact]
    public async Task Removing_needs_the_current_etag()
    {
        var table = await StartTableAsync(NewDatabase());
        var grain = NewGrain();
        var old = await table.UpsertRow(Entry(grain, "expiry"));
        var current = await table.UpsertRow(Entry(grain, "expiry"));

        Assert.False(await table.RemoveRow(grain, "expiry", old!));
        Assert.False(await table.RemoveRow(grain, "other", current!));
        Assert.NotNull(await table.ReadRow(grain, "expiry"));
        Assert.True(await table.RemoveRow(grain, "expiry", current!));
        Assert.Null(await table.ReadRow(grain, "expiry"));
        Assert.False(await table.RemoveRow(grain, "expiry", current!));
    }

    [Fact]
    public async Task An_etag_from_before_a_removal_cannot_remove_the_reminder_created_again()
    {
        var table = await StartTableAsync(NewDatabase());
        var grain = NewGrain();
        var before = await table.UpsertRow(Entry(grain, "expiry"));
        Assert.True(await table.RemoveRow(grain, "expiry", before!));
        await table.UpsertRow(Entry(grain, "expiry"));

        Assert.False(await table.RemoveRow(grain, "expiry", before!));
    }

    [Fact]
    public async Task Ring_ranges_exclude_begin_include_end_and_wrap_when_begin_is_not_below_end()
    {
        var table = await StartTableAsync(NewDatabase());
        var grains = Enumerable.Range(0, 40).Select(_ => NewGrain()).OrderBy(g => g.GetUniformHashCode()).ToList();
        foreach (var grain in grains) await table.UpsertRow(Entry(grain, "r"));
        var hashes = grains.Select(g => g.GetUniformHashCode()).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());

        Assert.Equal(hashes[11..21], await HashesIn(table, hashes[10], hashes[20]));
        Assert.Equal(hashes[..6].Concat(hashes[31..]), await HashesIn(table, hashes[30], hashes[5]));
        Assert.Equal(hashes, await HashesIn(table, hashes[7], hashes[7]));
        Assert.Equal(hashes, await HashesIn(table, 0, 0));
        Assert.Equal(hashes.Where(h => h > hashes[3]), await HashesIn(table, hashes[3], uint.MaxValue));
        Assert.Equal([hashes[3]], await HashesIn(table, hashes[3] - 1, hashes[3]));
    }

    [Fact]
    public async Task Clearing_the_table_removes_every_reminder()
    {
        var table = await StartTableAsync(NewDatabase());
        await table.UpsertRow(Entry(NewGrain(), "a"));
        await table.UpsertRow(Entry(NewGrain(), "b"));

        await table.TestOnlyClearTable();

        Assert.Empty((await table.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task Rows_survive_a_new_table_on_the_same_file()
    {
        var database = NewDatabase();
        var grain = NewGrain();
        var eTag = await (await StartTableAsync(database)).UpsertRow(Entry(grain, "expiry"));

        var reopened = await StartTableAsync(database);

        Assert.Equal(eTag, (await reopened.ReadRow(grain, "expiry"))?.ETag);
    }

    [Fact]
    public async Task A_reminder_registered_by_a_grain_is_listed_and_fires_after_a_cluster_restart()
    {
        var database = NewDatabase();
        var key = Guid.NewGuid().ToString("N");
        await using (var cluster = await StartClusterAsync(database))
        {
            await cluster.Client.GetGrain<ISqliteReminderGrain>(key).Register("expiry", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        // Only ticks from here on count: the first cluster is gone, so whatever arrives now comes from the restarted one.
        var fired = SqliteReminderTicks.Expect(key);
        await using var restarted = await StartClusterAsync(database);
        var grain = restarted.Client.GetGrain<ISqliteReminderGrain>(key);

        Assert.Equal(["expiry"], await grain.Names());
        Assert.Equal("expiry", await fired.WaitAsync(TimeSpan.FromSeconds(60)));
        await grain.Unregister("expiry");
        Assert.Empty(await grain.Names());
    }

    private static async Task<List<uint>> HashesIn(SqliteReminderTable table, uint begin, uint end) =>
        (await table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order().ToList();

    private static async Task<SqliteReminderTable> StartTableAsync(string database)
    {
        var table = new SqliteReminderTable(new SqliteEngine(database));
        await table.StartAsync();
        return table;
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(string database)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseSqliteReminders(database);
            // Orleans refuses periods under a minute by default; a second keeps the test short.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static string NewDatabase() => $"Data Source={ScratchFolder.NewFile(".db")}";

    private static GrainId NewGrain() => GrainId.Create("sqlitereminder", Guid.NewGuid().ToString("N"));

    private static ReminderEntry Entry(GrainId grain, string name, DateTime? startAt = null, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = startAt ?? DateTime.UtcNow,
        Period = period ?? TimeSpan.FromMinutes(1),
    };
}

/// <summary>Lets a test wait for a reminder tick that a grain receives.</summary>
public static class SqliteReminderTicks
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<string>> Waiting = new();

    /// <summary>A task that completes with the name of the next reminder the grain keyed <paramref name="key"/> receives.</summary>
    public static Task<string> Expect(string key) =>
        Waiting.AddOrUpdate(key, _ => New(), (_, _) => New()).Task;

    /// <summary>Called by the grain on each tick.</summary>
    public static void Tick(string key, string reminderName)
    {
        if (Waiting.TryGetValue(key, out var waiting)) waiting.TrySetResult(reminderName);
    }

    private static TaskCompletionSource<string> New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A grain that registers reminders and reports their ticks.</summary>
public interface ISqliteReminderGrain : IGrainWithStringKey
{
    Task Register(string name, TimeSpan dueTime, TimeSpan period);

    Task Unregister(string name);

    Task<List<string>> Names();
}

/// <summary>Registers reminders through Orleans' reminder service and passes each tick to <see cref="SqliteReminderTicks"/>.</summary>
public sealed class SqliteReminderGrain : Grain, ISqliteReminderGrain, IRemindable
{
    public Task Register(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task Unregister(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"no reminder {name}");
        await this.UnregisterReminder(reminder);
    }

    public async Task<List<string>> Names() => (await this.GetReminders()).Select(r => r.ReminderName).ToList();

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        SqliteReminderTicks.Tick(this.GetPrimaryKeyString(), reminderName);
        return Task.CompletedTask;
    }
}
