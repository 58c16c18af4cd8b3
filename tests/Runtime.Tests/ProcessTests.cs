using Alerts.Client;

namespace Alerts.Runtime.Tests;

/// <summary>A client in this process and a silo in another: calls, observers, reconnect after a crash, graceful stop.</summary>
public sealed class ProcessTests
{
    private static Dictionary<string, string?> Settings(StorageOptions storage)
    {
        var settings = GatewaySilo.CredentialSettings();
        settings["Alerts:Silo:Storage:Provider"] = storage.Provider;
        settings["Alerts:Silo:Storage:ConnectionString"] = storage.ConnectionString;
        return settings;
    }

    private static Task<ClusterClient> Connect(Uri endpoint) =>
        ClusterClient.ConnectAsync(new ClusterClientOptions { Endpoint = endpoint, Credential = "gateway-1:gw-secret", ReconnectMinDelay = TimeSpan.FromMilliseconds(50) });

    [Fact]
    public async Task A_client_calls_grains_and_receives_observer_calls_across_processes()
    {
        await using var silo = await SiloProcess.StartAsync(SiloProcess.FreePort(), Settings(StorageKind.Fresh("sqlite")));
        await using var client = await Connect(silo.Endpoint);
        var counter = client.GetGrain<ICounterGrain>("x");
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => counter.Increment()));
        Assert.Equal(100, await counter.Peek());

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var chat = client.GetGrain<IChatGrain>("cross");
        await chat.Subscribe(client.CreateObjectReference<IChatObserver>(new Observer(received)));
        Assert.Equal(1, await chat.Publish("from the other process"));
        Assert.Equal("from the other process", await received.Task);
    }

    [Fact]
    public async Task The_client_reconnects_after_the_silo_process_is_killed_and_restarted()
    {
        var storage = StorageKind.Fresh("sqlite");
        var port = SiloProcess.FreePort();
        var silo = await SiloProcess.StartAsync(port, Settings(storage));
        await using var client = await Connect(silo.Endpoint);
        await client.GetGrain<IStatefulGrain>(1).SetValue("before the crash");

        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += () => disconnected.TrySetResult();
        client.Reconnected += () => reconnected.TrySetResult();
        await silo.KillAsync();
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<GrainTransportException>(() => client.GetGrain<IStatefulGrain>(1).Get());

        await using var restarted = await SiloProcess.StartAsync(port, Settings(storage));
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("before the crash", (await client.GetGrain<IStatefulGrain>(1).Get()).Value);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_graceful_stop_of_the_process_deactivates_grains_and_flushes_state(string provider)
    {
        var storage = StorageKind.Fresh(provider);
        var port = SiloProcess.FreePort();
        var silo = await SiloProcess.StartAsync(port, Settings(storage));
        await using (var client = await Connect(silo.Endpoint))
        {
            await client.GetGrain<IStatefulGrain>(9).SetValueWithoutWriting("only in memory");
        }

        await silo.TerminateAsync();
        await silo.DisposeAsync();
        await using var again = await SiloProcess.StartAsync(port, Settings(storage));
        await using var client2 = await Connect(again.Endpoint);
        var state = await client2.GetGrain<IStatefulGrain>(9).Get();
        Assert.Equal("only in memory", state.Value);
        Assert.Equal(1, state.Deactivations);
    }

    private sealed class Observer(TaskCompletionSource<string> received) : IChatObserver
    {
        public Task Receive(string message)
        {
            received.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
