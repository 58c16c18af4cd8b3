namespace Alerts.Runtime.Tests;

/// <summary>One turn at a time, arrival order, interleaving only where declared, clear errors on cycles.</summary>
public sealed class TurnTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync(StorageKind.Fresh("sqlite"));

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Many_concurrent_callers_never_overlap_and_lose_no_increment()
    {
        var counter = _silo.Grains.GetGrain<ICounterGrain>("c1");
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++) await counter.Increment();
        })));
        Assert.Equal(64 * 50, await counter.Peek());
        Assert.Equal(1, await counter.MaxConcurrency());
    }

    [Fact]
    public async Task Requests_from_one_caller_run_in_arrival_order()
    {
        var counter = _silo.Grains.GetGrain<ICounterGrain>("ordered");
        var calls = Enumerable.Range(0, 2_000).Select(i => counter.Record(i)).ToArray();
        await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 2_000), await counter.Recorded());
    }

    [Fact]
    public async Task A_call_cycle_through_a_non_reentrant_grain_fails_with_a_clear_timeout()
    {
        // A short timeout on a silo of its own: the other tests keep the default, so a loaded machine cannot time them out.
        await using var silo = await TestSilo.StartAsync(StorageKind.Fresh("sqlite"), configure: o => o.CallTimeout = TimeSpan.FromSeconds(2));
        var ex = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => silo.Grains.GetGrain<ICycleGrain>("a").CallPeer("b"));
        Assert.Contains("[Reentrant]", ex.Message);
        Assert.Contains("CycleGrain", ex.Message);
    }

    [Fact]
    public async Task A_reentrant_grain_completes_the_same_cycle()
    {
        Assert.Equal("pong a", await _silo.Grains.GetGrain<IReentrantCycleGrain>("a").CallPeer("b"));
    }

    [Fact]
    public async Task A_grain_exception_reaches_the_caller_and_the_grain_keeps_working()
    {
        var grain = _silo.Grains.GetGrain<ICounterGrain>("failing");
        await grain.Increment();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("bad things"));
        Assert.Equal("bad things", ex.Message);
        Assert.Equal(2, await grain.Increment());
    }

    [Fact]
    public async Task Stateless_workers_get_several_activations_up_to_the_limit()
    {
        var worker = _silo.Grains.GetGrain<IWorkerGrain>(1);
        var calls = Enumerable.Range(0, 6).Select(_ => worker.Hold("release-workers")).ToList();
        // Three calls are inside at once, so there are three activations; the limit keeps the rest waiting.
        await TestSignals.For("release-workers:entered:3").Task;
        Assert.False(TestSignals.For("release-workers:entered:4").Task.IsCompleted);
        TestSignals.For("release-workers").TrySetResult("");
        var instances = (await Task.WhenAll(calls)).Distinct().Count();
        Assert.Equal(3, instances);
    }

    [Fact]
    public async Task Timer_ticks_are_turns_that_never_overlap()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(StorageKind.Fresh("sqlite"), time);
        var grain = silo.Grains.GetGrain<ITimerGrain>("t");
        await grain.Start(TimeSpan.FromSeconds(1));
        for (var i = 1; i <= 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await TestSignals.For($"tick:t:{i}").Task;
            // The signal is raised inside the tick; this call queues behind the tick's turn, so the tick has
            // ended before the next step fires another (a tick that would overlap is skipped).
            Assert.Equal(i, await grain.Ticks());
        }

        Assert.Equal(5, await grain.Ticks());
        Assert.Equal(1, await grain.MaxConcurrency());
    }

    [Fact]
    public async Task An_observer_receives_calls_and_a_deleted_one_is_dropped()
    {
        var chat = _silo.Grains.GetGrain<IChatGrain>("room");
        var received = new List<string>();
        var observer = new ChatObserver(received);
        var reference = _silo.Grains.CreateObjectReference<IChatObserver>(observer);
        await chat.Subscribe(reference);
        Assert.Equal(1, await chat.Publish("hello"));
        Assert.Equal(["hello"], received);

        _silo.Grains.DeleteObjectReference(reference);
        Assert.Equal(0, await chat.Publish("gone"));
        Assert.Equal(0, await chat.Subscribers());
    }

    private sealed class ChatObserver(List<string> received) : IChatObserver
    {
        public Task Receive(string message)
        {
            lock (received) received.Add(message);
            return Task.CompletedTask;
        }
    }
}
