namespace Alerts.Runtime.Tests;

/// <summary>Activation, deactivation, state, idle collection, reminders and shutdown on both storage providers.</summary>
public sealed class LifecycleTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Deactivation_writes_state_and_the_next_activation_reloads_it(string provider)
    {
        await using var silo = await TestSilo.StartAsync(StorageKind.Fresh(provider));
        var grain = silo.Grains.GetGrain<IStatefulGrain>(1);
        await grain.SetValue("first");
        await grain.Deactivate();
        var state = await grain.Get();
        Assert.Equal("first", state.Value);
        Assert.Equal(2, state.Activations);
        Assert.Equal(1, state.Deactivations);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_stale_write_is_rejected(string provider)
    {
        var options = StorageKind.Fresh(provider);
        var storage = new SqlGrainStorage(SqlDialect.For(options));
        await storage.EnsureSchemaAsync();
        var first = await storage.WriteAsync("g", "k", "s", "{\"v\":1}", null);
        var second = await storage.WriteAsync("g", "k", "s", "{\"v\":2}", first);
        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync("g", "k", "s", "{\"v\":3}", first));
        Assert.Contains("no longer current", stale.Message);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync("g", "k", "s", "{}", null));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync("g", "k", "s", first));
        Assert.Equal("{\"v\":2}", (await storage.ReadAsync("g", "k", "s"))!.Json);
        await storage.ClearAsync("g", "k", "s", second);
        Assert.Null(await storage.ReadAsync("g", "k", "s"));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_grain_whose_row_changed_underneath_gets_a_stale_write_error(string provider)
    {
        var options = StorageKind.Fresh(provider);
        await using var silo = await TestSilo.StartAsync(options);
        var grain = silo.Grains.GetGrain<IStatefulGrain>(5);
        await grain.SetValue("mine");

        var storage = new SqlGrainStorage(SqlDialect.For(options));
        var row = await storage.ReadAsync(typeof(StatefulGrain).FullName!, "5", "stateful");
        await storage.WriteAsync(typeof(StatefulGrain).FullName!, "5", "stateful", row!.Json, row.ETag);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.SetValue("lost race"));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Graceful_shutdown_deactivates_every_grain_and_flushes_state(string provider)
    {
        var options = StorageKind.Fresh(provider);
        var silo = await TestSilo.StartAsync(options);
        for (var i = 0; i < 20; i++) await silo.Grains.GetGrain<IStatefulGrain>(i).SetValueWithoutWriting("unsaved " + i);
        await silo.DisposeAsync();

        await using var again = await TestSilo.StartAsync(options);
        for (var i = 0; i < 20; i++)
        {
            var state = await again.Grains.GetGrain<IStatefulGrain>(i).Get();
            Assert.Equal(1, state.Deactivations);
            Assert.Equal(2, state.Activations);
        }
    }

    [Fact]
    public async Task Idle_activations_are_collected_after_the_idle_timeout()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(StorageKind.Fresh("sqlite"), time, o =>
        {
            o.ActivationIdleTimeout = TimeSpan.FromMinutes(10);
            o.CollectionInterval = TimeSpan.FromDays(1); // only the explicit collections below
        });
        for (var i = 0; i < 10; i++) await silo.Grains.GetGrain<IStatefulGrain>(i).Get();
        Assert.Equal(10, silo.Runtime.ActivationCount);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await silo.Runtime.CollectIdleAsync());
        await silo.Grains.GetGrain<IStatefulGrain>(0).Get();
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(9, await silo.Runtime.CollectIdleAsync());
        Assert.Equal(1, silo.Runtime.ActivationCount);
        Assert.Equal(1, (await silo.Grains.GetGrain<IStatefulGrain>(3).Get()).Deactivations);
    }

    [Fact]
    public async Task Activations_stay_bounded_under_many_distinct_keys()
    {
        await using var silo = await TestSilo.StartAsync(StorageKind.Fresh("sqlite"), configure: o =>
        {
            o.MaxActivations = 500;
            o.CollectionInterval = TimeSpan.FromDays(1);
        });
        for (var batch = 0; batch < 10; batch++)
        {
            await Task.WhenAll(Enumerable.Range(batch * 1_000, 1_000).Select(i => silo.Grains.GetGrain<ICounterGrain>("k" + i).Increment()));
            await silo.Runtime.CollectIdleAsync();
            Assert.True(silo.Runtime.ActivationCount <= 500, $"{silo.Runtime.ActivationCount} activations after batch {batch}");
        }
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_reminder_fires_after_the_silo_is_stopped_and_started_again(string provider)
    {
        var options = StorageKind.Fresh(provider);
        var key = provider + Guid.NewGuid().ToString("N");
        var time = new ManualTimeProvider();
        var silo = await TestSilo.StartAsync(options, time);
        await silo.Grains.GetGrain<IReminderGrain>(key).Register(TimeSpan.FromHours(1), TimeSpan.FromHours(24));
        await silo.DisposeAsync();
        Assert.False(TestSignals.For("reminder:" + key).Task.IsCompleted);

        // A new silo process on the same store, two hours later: the reminder is due and fires at start-up.
        var later = new ManualTimeProvider(time.GetUtcNow() + TimeSpan.FromHours(2));
        await using var again = await TestSilo.StartAsync(options, later);
        var fired = await TestSignals.For("reminder:" + key).Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("wake@", fired);
    }

    [Fact]
    public async Task A_reminder_shorter_than_a_minute_is_refused()
    {
        await using var silo = await TestSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => silo.Grains.GetGrain<IReminderGrain>("short").Register(TimeSpan.Zero, TimeSpan.FromSeconds(5)));
        Assert.Contains("period", ex.Message);
    }
}
