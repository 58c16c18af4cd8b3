using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Alerts.Runtime;

namespace Alerts.Client;

/// <summary>
/// A remote grain client, like Orleans' cluster client: grain references whose calls are multiplexed
/// over one WebSocket to the silo, observers called back over the same connection, call timeouts and
/// cancellation, and automatic reconnection with backoff. Calls in flight when the connection drops fail
/// with <see cref="GrainTransportException"/>; observers must be subscribed again after
/// <see cref="Reconnected"/> (the silo's references to them died with the old connection).
/// </summary>
public sealed class ClusterClient : IGrainFactory, IAsyncDisposable
{
    private readonly ClusterClientOptions _options;
    private readonly ConcurrentDictionary<long, (GrainMethod Method, TaskCompletionSource<object?> Completion)> _pending = new();
    private readonly ConcurrentDictionary<Guid, ClientObserverSink> _observers = new();
    private readonly CancellationTokenSource _disposed = new();
    private Connection? _connection;
    private Task _supervisor = Task.CompletedTask;
    private long _nextId;
    private volatile bool _closing;

    private ClusterClient(ClusterClientOptions options) => _options = options;

    /// <summary>Raised after the connection was lost and made again.</summary>
    public event Action? Reconnected;

    /// <summary>Raised when the connection is lost.</summary>
    public event Action? Disconnected;

    /// <summary>True while connected.</summary>
    public bool IsConnected => _connection is { Socket.State: WebSocketState.Open };

    /// <summary>Connects; throws <see cref="GrainAuthorizationException"/> for a refused credential and <see cref="GrainTransportException"/> when the silo cannot be reached.</summary>
    public static async Task<ClusterClient> ConnectAsync(ClusterClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ClusterClient(options);
        client._connection = await client.OpenAsync(cancellationToken);
        client._supervisor = client.SuperviseAsync();
        return client;
    }

    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => Reference<TGrain>(GrainId.KeyOf(key));

    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey => Reference<TGrain>(GrainId.KeyOf(key));

    public TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey => Reference<TGrain>(GrainId.KeyOf(key));

    public TObserver CreateObjectReference<TObserver>(IGrainObserver observer) where TObserver : IGrainObserver
    {
        var sink = new ClientObserverSink(Guid.NewGuid(), typeof(TObserver), observer);
        _observers[sink.Id] = sink;
        return GrainProxy.Create<TObserver>(sink);
    }

    public void DeleteObjectReference<TObserver>(TObserver reference) where TObserver : IGrainObserver
    {
        if (reference is GrainProxy { Sink: ClientObserverSink sink }) _observers.TryRemove(sink.Id, out _);
    }

    private TGrain Reference<TGrain>(string key) => GrainProxy.Create<TGrain>(new RemoteGrainSink(this, typeof(TGrain).FullName!, key));

    internal async Task<object?> InvokeAsync(string interfaceName, string key, GrainMethod method, object?[] args)
    {
        var connection = _connection;
        if (connection is null || connection.Socket.State != WebSocketState.Open)
            throw new GrainTransportException($"Not connected to {_options.Endpoint}: {method} was not sent.");

        var id = Interlocked.Increment(ref _nextId);
        var message = Serialize(w =>
        {
            w.WriteString("type", "call");
            w.WriteNumber("id", id);
            w.WriteString("interface", interfaceName);
            w.WriteString("key", key);
            w.WriteString("method", method.Name);
            w.WritePropertyName("args");
            WireArguments.Write(w, method, args, o => o is GrainProxy { Sink: ClientObserverSink s } ? s.Id : null);
        });
        if (message.Length > _options.MaxMessageBytes)
            throw new GrainCallRejectedException(WireError.TooLarge, $"{method} call of {message.Length} bytes exceeds the {_options.MaxMessageBytes}-byte limit");

        var completion = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (method, completion);
        var token = args.OfType<CancellationToken>().FirstOrDefault();
        await using var registration = token.Register(() =>
        {
            if (completion.TrySetCanceled(token)) connection.Outbox.Writer.TryWrite(Serialize(w => { w.WriteString("type", "cancel"); w.WriteNumber("id", id); }));
        });
        if (!connection.Outbox.Writer.TryWrite(message))
        {
            _pending.TryRemove(id, out _);
            throw new GrainTransportException($"Connection to {_options.Endpoint} closed: {method} was not sent.");
        }

        try
        {
            return await completion.Task.WaitAsync(_options.CallTimeout);
        }
        catch (TimeoutException)
        {
            throw new GrainCallTimeoutException($"{method} on {key} got no response within {_options.CallTimeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _options.Credential);
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        try
        {
            await socket.ConnectAsync(_options.Endpoint, cancellationToken);
        }
        catch (WebSocketException e)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            if (status == HttpStatusCode.Unauthorized)
                throw new GrainAuthorizationException($"The silo at {_options.Endpoint} refused the credential of this client.");
            throw new GrainTransportException($"Could not connect to {_options.Endpoint}: {e.Message}", e);
        }

        var connection = new Connection(socket);
        connection.Sending = SendLoopAsync(connection);
        connection.Receiving = ReceiveLoopAsync(connection);
        return connection;
    }

    private async Task SuperviseAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            var connection = _connection!;
            await connection.Receiving;
            connection.Outbox.Writer.TryComplete();
            FailPending(new GrainTransportException($"Connection to {_options.Endpoint} lost; the call may or may not have run."));
            if (_disposed.IsCancellationRequested || _closing) return;
            Disconnected?.Invoke();

            var delay = _options.ReconnectMinDelay;
            while (!_disposed.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(delay, _disposed.Token);
                    _connection = await OpenAsync(_disposed.Token);
                    Reconnected?.Invoke();
                    break;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (e is GrainTransportException or GrainAuthorizationException)
                {
                    // Exponential backoff with jitter, so many clients do not reconnect in lockstep.
                    var next = Math.Min(delay.TotalMilliseconds * 2, _options.ReconnectMaxDelay.TotalMilliseconds);
                    delay = TimeSpan.FromMilliseconds(next * (0.8 + Random.Shared.NextDouble() * 0.4));
                }
            }
        }
    }

    private async Task SendLoopAsync(Connection connection)
    {
        try
        {
            await foreach (var message in connection.Outbox.Reader.ReadAllAsync())
                await connection.Socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            connection.Socket.Abort();
        }
    }

    private async Task ReceiveLoopAsync(Connection connection)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                var status = await WireFrames.ReadAsync(connection.Socket, buffer, _options.MaxMessageBytes, _disposed.Token);
                if (status == WireFrames.ReadStatus.Closed) return;
                if (status == WireFrames.ReadStatus.TooLarge)
                {
                    var id = WireFrames.SniffId(buffer.WrittenSpan);
                    if (id is not null && _pending.TryRemove(id.Value, out var call))
                        call.Completion.TrySetException(new GrainCallRejectedException(WireError.TooLarge, "the result exceeded the client's message size limit"));
                    continue;
                }

                using var document = JsonDocument.Parse(buffer.WrittenMemory);
                Handle(connection, document.RootElement);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or JsonException or WebSocketException or ObjectDisposedException)
        {
            // The connection is over either way; the supervisor decides whether to reconnect.
        }
        finally
        {
            connection.Socket.Abort();
        }
    }

    private void Handle(Connection connection, JsonElement root)
    {
        var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "result" && root.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var id) && _pending.TryRemove(id, out var call))
        {
            if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
            {
                try
                {
                    call.Completion.TrySetResult(call.Method.ResultType is not null && root.TryGetProperty("value", out var v)
                        ? v.Deserialize(call.Method.ResultType, WireJson.Options)
                        : null);
                }
                catch (JsonException e)
                {
                    call.Completion.TrySetException(new GrainCallRejectedException(WireError.Protocol, "result does not match " + call.Method + ": " + e.Message));
                }
            }
            else
            {
                call.Completion.TrySetException(ToException(root.TryGetProperty("error", out var error) ? error : default));
            }
        }
        else if (type == "observe")
        {
            _ = ObserveAsync(connection, root.Clone());
        }
    }

    private async Task ObserveAsync(Connection connection, JsonElement root)
    {
        long id = root.TryGetProperty("id", out var i) && i.TryGetInt64(out var n) ? n : 0;
        GrainMethod? method = null;
        try
        {
            var observerId = Guid.TryParse(root.GetProperty("observer").GetString(), out var g) ? g : Guid.Empty;
            if (!_observers.TryGetValue(observerId, out var sink))
            {
                Reply(connection, id, false, w => { w.WriteString("kind", WireError.ObserverExpired); w.WriteString("message", $"observer {observerId:N} is not registered in this client"); });
                return;
            }

            method = sink.Interface.FindMethod(root.GetProperty("method").GetString() ?? "")
                     ?? throw new GrainCallRejectedException(WireError.UnknownMethod, "unknown observer method");
            var args = WireArguments.Read(root.TryGetProperty("args", out var a) ? a : null, method, CancellationToken.None, null);
            var result = await sink.InvokeAsync(method, args);
            if (!method.OneWay)
                Reply(connection, id, true, w =>
                {
                    if (method.ResultType is null) return;
                    w.WritePropertyName("value");
                    JsonSerializer.Serialize(w, result, method.ResultType, WireJson.Options);
                });
        }
        catch (Exception e)
        {
            if (method is { OneWay: true }) return;
            Reply(connection, id, false, w => { w.WriteString("kind", WireError.Grain); w.WriteString("type", e.GetType().FullName); w.WriteString("message", e.Message); });
        }
    }

    private static void Reply(Connection connection, long id, bool ok, Action<Utf8JsonWriter> body) =>
        connection.Outbox.Writer.TryWrite(Serialize(w =>
        {
            w.WriteString("type", "result");
            w.WriteNumber("id", id);
            w.WriteBoolean("ok", ok);
            if (ok)
            {
                body(w);
            }
            else
            {
                w.WriteStartObject("error");
                body(w);
                w.WriteEndObject();
            }
        }));

    private static Exception ToException(JsonElement error)
    {
        string? Read(string name) => error.ValueKind == JsonValueKind.Object && error.TryGetProperty(name, out var p) ? p.GetString() : null;
        var kind = Read("kind") ?? WireError.Protocol;
        var message = Read("message") ?? "call failed";
        return kind switch
        {
            WireError.Grain => new RemoteGrainException(Read("type") ?? "System.Exception", message),
            WireError.Unauthorized => new GrainAuthorizationException(message),
            WireError.Timeout => new GrainCallTimeoutException(message),
            WireError.Cancelled => new OperationCanceledException(message),
            _ => new GrainCallRejectedException(kind, message),
        };
    }

    private static byte[] Serialize(Action<Utf8JsonWriter> body) => WireProtocol.Message(body);

    private void FailPending(Exception error)
    {
        foreach (var (id, call) in _pending)
            if (_pending.TryRemove(id, out _)) call.Completion.TrySetException(error);
    }

    public async ValueTask DisposeAsync()
    {
        // Closing is flagged first, so the supervisor takes the end of this connection for a goodbye and
        // does not reconnect; the token is cancelled only after the close handshake had its chance.
        if (_closing) return;
        _closing = true;
        var connection = _connection;
        if (connection is not null)
        {
            // What is already queued (acknowledgements, observer replies) goes out before the close frame.
            connection.Outbox.Writer.TryComplete();
            await IgnoringTransportFailure(connection.Sending.WaitAsync(TimeSpan.FromSeconds(5)));
            if (connection.Socket.State == WebSocketState.Open)
                await IgnoringTransportFailure(connection.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "client disposed", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        }

        await _disposed.CancelAsync();
        connection?.Socket.Abort();
        await _supervisor;
        FailPending(new GrainTransportException("The client was disposed."));
    }

    private static async Task IgnoringTransportFailure(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or TimeoutException or OperationCanceledException)
        {
            // The socket already failed or was aborted: there is nothing left to close gracefully.
        }
    }

    private sealed class Connection(ClientWebSocket socket)
    {
        public ClientWebSocket Socket { get; } = socket;

        public Channel<byte[]> Outbox { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

        public Task Sending { get; set; } = Task.CompletedTask;

        public Task Receiving { get; set; } = Task.CompletedTask;
    }
}
