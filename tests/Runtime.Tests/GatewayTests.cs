using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Alerts.Client;

namespace Alerts.Runtime.Tests;

/// <summary>The remote client over a real WebSocket on Kestrel: calls, errors, roles, observers, cancellation, bad frames.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private GatewaySilo _silo = null!;

    public async Task InitializeAsync() => _silo = await GatewaySilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Calls_are_multiplexed_over_one_connection_with_structured_arguments()
    {
        await using var client = await _silo.ConnectAsync();
        var echo = client.GetGrain<IEchoGrain>("e");
        var payload = new EchoPayload("héllo", [1, long.MaxValue, -3], new DateTime(2026, 11, 21, 3, 0, 0, DateTimeKind.Utc), null);
        Assert.Equal(payload.Text, (await echo.Echo(payload)).Text);
        Assert.Equal(payload.Numbers, (await echo.Echo(payload)).Numbers);
        var sums = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => echo.Sum(i, 1000).AsTask()));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i + 1000L), sums);

        var counter = client.GetGrain<ICounterGrain>("remote");
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => counter.Increment()));
        Assert.Equal(200, await counter.Peek());
    }

    [Fact]
    public async Task A_grain_exception_arrives_with_its_type_and_message()
    {
        await using var client = await _silo.ConnectAsync();
        var ex = await Assert.ThrowsAsync<RemoteGrainException>(() => client.GetGrain<IEchoGrain>("e").Throw("radius must be positive"));
        Assert.Equal(typeof(ArgumentException).FullName, ex.ExceptionType);
        Assert.Contains("radius must be positive", ex.Message);
    }

    [Fact]
    public async Task A_wrong_secret_or_unknown_client_is_refused_at_connect()
    {
        await Assert.ThrowsAsync<GrainAuthorizationException>(() => ClusterClient.ConnectAsync(new ClusterClientOptions { Endpoint = _silo.Endpoint, Credential = "gateway-1:wrong" }));
        await Assert.ThrowsAsync<GrainAuthorizationException>(() => ClusterClient.ConnectAsync(new ClusterClientOptions { Endpoint = _silo.Endpoint, Credential = "nobody:gw-secret" }));
        await Assert.ThrowsAsync<GrainAuthorizationException>(() => ClusterClient.ConnectAsync(new ClusterClientOptions { Endpoint = _silo.Endpoint, Credential = "" }));
    }

    [Fact]
    public async Task Calls_without_the_role_are_refused_and_never_reach_the_grain()
    {
        await using var gateway = await _silo.ConnectAsync("gateway-1");
        var ex = await Assert.ThrowsAsync<GrainAuthorizationException>(() => gateway.GetGrain<ISecretGrain>("s").Read());
        Assert.Contains("admin", ex.Message);
        Assert.Equal(0, _silo.Runtime.ActivationsOf(typeof(SecretGrain)));

        await using var auditor = await _silo.ConnectAsync("auditor-1");
        Assert.Equal("audited", await auditor.GetGrain<ISecretGrain>("s").Audit());
        await Assert.ThrowsAsync<GrainAuthorizationException>(() => auditor.GetGrain<ISecretGrain>("s").Read());

        await using var admin = await _silo.ConnectAsync("admin-1");
        Assert.Equal("secret", await admin.GetGrain<ISecretGrain>("s").Read());
    }

    [Fact]
    public async Task An_observer_in_the_client_is_called_back_by_the_grain()
    {
        await using var client = await _silo.ConnectAsync();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reference = client.CreateObjectReference<IChatObserver>(new ChatObserver(received));
        var chat = client.GetGrain<IChatGrain>("remote-room");
        await chat.Subscribe(reference);
        Assert.Equal(1, await chat.Publish("hello over the wire"));
        Assert.Equal("hello over the wire", await received.Task);
    }

    [Fact]
    public async Task An_observer_of_a_disconnected_client_is_detected_and_dropped()
    {
        var chat = _silo.Runtime.GetGrain<IChatGrain>("dropping-room");
        var client = await _silo.ConnectAsync();
        await client.GetGrain<IChatGrain>("dropping-room").Subscribe(client.CreateObjectReference<IChatObserver>(new ChatObserver(new())));
        Assert.Equal(1, await chat.Subscribers());
        await client.DisposeAsync();
        Assert.Equal(0, await chat.Publish("anyone?"));
        Assert.Equal(0, await chat.Subscribers());
    }

    [Fact]
    public async Task A_client_disposed_while_observer_calls_stream_in_closes_cleanly()
    {
        // Disposal races the receive loop that is handling observer calls; rounds give the race its chances.
        for (var round = 0; round < 20; round++)
        {
            var room = "streaming-" + round;
            var client = await _silo.ConnectAsync();
            var first = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await client.GetGrain<IChatGrain>(room).Subscribe(client.CreateObjectReference<IChatObserver>(new ChatObserver(first)));
            var chat = _silo.Runtime.GetGrain<IChatGrain>(room);
            using var stop = new CancellationTokenSource();
            var publishing = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested) await chat.Publish("tick");
            });
            await first.Task;

            await client.DisposeAsync();
            await stop.CancelAsync();
            await publishing;
            Assert.Equal(0, await chat.Publish("after"));
            Assert.Equal(0, await chat.Subscribers());
        }
    }

    [Fact]
    public async Task Cancelling_a_call_cancels_the_grain_side_token()
    {
        await using var client = await _silo.ConnectAsync();
        using var cts = new CancellationTokenSource();
        var call = client.GetGrain<IEchoGrain>("cancel-me").WaitForCancellation(cts.Token);
        await TestSignals.For("waiting:cancel-me").Task;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(3, await client.GetGrain<IEchoGrain>("cancel-me").Sum(1, 2));
    }

    [Fact]
    public async Task A_call_with_no_answer_times_out_on_the_client()
    {
        await using var client = await _silo.ConnectAsync(configure: o => o.CallTimeout = TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => client.GetGrain<IEchoGrain>("slow").WaitForCancellation(CancellationToken.None));
        Assert.Contains("WaitForCancellation", ex.Message);
    }

    [Fact]
    public async Task A_call_that_is_too_large_is_refused_before_it_is_sent()
    {
        await using var client = await _silo.ConnectAsync();
        var ex = await Assert.ThrowsAsync<GrainCallRejectedException>(() => client.GetGrain<IEchoGrain>("big").Count(new int[100_000]));
        Assert.Equal(WireError.TooLarge, ex.Kind);
        Assert.Equal(2, await client.GetGrain<IEchoGrain>("big").Count([1, 2]));
    }

    public static TheoryData<string, string, string> BadFrames => new()
    {
        { "not json", "{\"id\": 41, \"type\": \"call\", oops", WireError.Protocol },
        { "no type", "{\"v\":1,\"id\":42}", WireError.Protocol },
        { "unknown type", "{\"v\":1,\"type\":\"dance\",\"id\":43}", WireError.Protocol },
        { "unknown interface", "{\"v\":1,\"type\":\"call\",\"id\":44,\"interface\":\"No.Such.IGrain\",\"key\":\"k\",\"method\":\"X\",\"args\":[]}", WireError.UnknownInterface },
        { "unknown method", $"{{\"v\":1,\"type\":\"call\",\"id\":45,\"interface\":\"{typeof(IEchoGrain).FullName}\",\"key\":\"k\",\"method\":\"Nope\",\"args\":[]}}", WireError.UnknownMethod },
        { "wrong argument type", $"{{\"v\":1,\"type\":\"call\",\"id\":46,\"interface\":\"{typeof(IEchoGrain).FullName}\",\"key\":\"k\",\"method\":\"Sum\",\"args\":[\"one\",2]}}", WireError.BadArguments },
        { "wrong argument count", $"{{\"v\":1,\"type\":\"call\",\"id\":47,\"interface\":\"{typeof(IEchoGrain).FullName}\",\"key\":\"k\",\"method\":\"Sum\",\"args\":[1]}}", WireError.BadArguments },
        { "null for a number", $"{{\"v\":1,\"type\":\"call\",\"id\":48,\"interface\":\"{typeof(IEchoGrain).FullName}\",\"key\":\"k\",\"method\":\"Sum\",\"args\":[null,1]}}", WireError.BadArguments },
        { "integer key not a number", $"{{\"v\":1,\"type\":\"call\",\"id\":49,\"interface\":\"{typeof(IStatefulGrain).FullName}\",\"key\":\"abc\",\"method\":\"Get\",\"args\":[]}}", WireError.BadArguments },
        { "oversized", "{\"v\":1,\"type\":\"call\",\"id\":50,\"pad\":\"" + new string('x', 70_000) + "\"}", WireError.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task A_bad_frame_gets_an_error_reply_and_the_connection_keeps_working(string name, string frame, string expectedKind)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer gateway-1:gw-secret");
        await socket.ConnectAsync(_silo.Endpoint, CancellationToken.None);
        var welcome = await ReceiveAsync(socket);
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());

        await SendAsync(socket, frame);
        var reply = await ReceiveAsync(socket);
        Assert.False(reply.GetProperty("ok").GetBoolean(), name);
        Assert.Equal(expectedKind, reply.GetProperty("error").GetProperty("kind").GetString());
        Assert.False(string.IsNullOrWhiteSpace(reply.GetProperty("error").GetProperty("message").GetString()));

        // The same connection still serves a good call.
        await SendAsync(socket, $"{{\"v\":1,\"type\":\"call\",\"id\":99,\"interface\":\"{typeof(IEchoGrain).FullName}\",\"key\":\"k\",\"method\":\"Sum\",\"args\":[20,22]}}");
        var good = await ReceiveAsync(socket);
        Assert.Equal(99, good.GetProperty("id").GetInt64());
        Assert.Equal(42, good.GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task A_bad_argument_error_names_the_parameter()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer gateway-1:gw-secret");
        await socket.ConnectAsync(_silo.Endpoint, CancellationToken.None);
        await ReceiveAsync(socket);
        await SendAsync(socket, $"{{\"v\":1,\"type\":\"call\",\"id\":7,\"interface\":\"{typeof(IEchoGrain).FullName}\",\"key\":\"k\",\"method\":\"Sum\",\"args\":[1,\"two\"]}}");
        var reply = await ReceiveAsync(socket);
        Assert.Equal(7, reply.GetProperty("id").GetInt64());
        Assert.Contains("'b'", reply.GetProperty("error").GetProperty("message").GetString());
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 20];
        var count = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
            count += result.Count;
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
    }

    private sealed class ChatObserver(TaskCompletionSource<string> received) : IChatObserver
    {
        public Task Receive(string message)
        {
            received.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
