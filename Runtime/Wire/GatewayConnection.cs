using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Alerts.Runtime;

/// <summary>
/// One remote client's WebSocket: reads calls and runs them concurrently (up to a limit, then it stops
/// reading), writes results in completion order, and carries observer calls the other way. A bad
/// message gets an error reply; it never ends the connection or disturbs the other calls.
/// </summary>
internal sealed class GatewayConnection(WebSocket socket, GrainRuntime runtime, ClientIdentity identity, GatewayOptions options, ILogger logger)
{
    private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, (GrainMethod Method, TaskCompletionSource<object?> Completion)> _observerCalls = new();
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _calls = new();
    private readonly SemaphoreSlim _inFlight = new(options.MaxConcurrentCallsPerConnection);
    private long _nextObserverCallId;
    private volatile bool _closed;

    public ClientIdentity Identity { get; } = identity;

    public bool IsClosed => _closed;

    public async Task RunAsync(CancellationToken aborted)
    {
        var sending = SendLoopAsync();
        Send(w =>
        {
            w.WriteString("type", "welcome");
            w.WriteString("client", Identity.Name);
            w.WriteStartArray("roles");
            foreach (var role in Identity.Roles) w.WriteStringValue(role);
            w.WriteEndArray();
        });

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var status = await WireFrames.ReadAsync(socket, buffer, options.MaxMessageBytes, aborted);
                if (status == WireFrames.ReadStatus.Closed) break;
                if (status == WireFrames.ReadStatus.TooLarge)
                {
                    SendError(WireFrames.SniffId(buffer.WrittenSpan), WireError.TooLarge, $"message larger than {options.MaxMessageBytes} bytes refused");
                    continue;
                }

                await HandleAsync(buffer.WrittenMemory);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            // A gateway that crashed or lost its network: an everyday event, not a silo error.
            logger.LogInformation("Client {Client} dropped the connection without closing it: {Reason}", Identity.Name, e.Message);
        }
        finally
        {
            Close();
            await sending;
        }
    }

    public Task<object?> CallObserverAsync(Guid observerId, GrainMethod method, object?[] args)
    {
        if (_closed) return Task.FromException<object?>(new ObserverExpiredException($"The client {Identity.Name} holding observer {observerId:N} disconnected."));
        var id = Interlocked.Increment(ref _nextObserverCallId);
        var completion = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!method.OneWay) _observerCalls[id] = (method, completion);
        Send(w =>
        {
            w.WriteString("type", "observe");
            w.WriteNumber("id", id);
            w.WriteString("observer", observerId.ToString("N"));
            w.WriteString("interface", method.Interface.Name);
            w.WriteString("method", method.Name);
            w.WritePropertyName("args");
            WireArguments.Write(w, method, args, _ => null);
        });
        if (method.OneWay) return Task.FromResult<object?>(null);
        return completion.Task.WaitAsync(runtime.Options.CallTimeout, runtime.Time);
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException e)
        {
            SendError(WireFrames.SniffId(message.Span), WireError.Protocol, "message is not valid JSON: " + e.Message);
            return;
        }

        var root = document.RootElement;
        long? id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var i) ? i : null;
        var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "call" when id is not null:
                // Back-pressure: with the limit reached, stop reading until a call finishes.
                await _inFlight.WaitAsync();
                _ = RunCallAsync(id.Value, document);
                return;
            case "result" when id is not null:
                CompleteObserverCall(id.Value, root);
                break;
            case "cancel" when id is not null:
                if (_calls.TryGetValue(id.Value, out var cts)) cts.Cancel();
                break;
            default:
                SendError(id, WireError.Protocol, type is null ? "message needs a string \"type\"" : id is null ? "message needs a numeric \"id\"" : $"unknown message type \"{type}\"");
                break;
        }

        document.Dispose();
    }

    private async Task RunCallAsync(long id, JsonDocument document)
    {
        using var cancellation = new CancellationTokenSource();
        _calls[id] = cancellation;
        try
        {
            var root = document.RootElement;
            var (grainClass, method) = Resolve(root);
            var key = ReadKey(root, method.Interface.Type);
            var args = WireArguments.Read(root.TryGetProperty("args", out var a) ? a : null, method, cancellation.Token,
                (observerId, observerType) => GrainProxy.Create(observerType, new RemoteObserverSink(this, observerId)));
            var result = await new LocalGrainSink(runtime, new GrainId(grainClass.GrainType, key)).InvokeAsync(method, args);
            Send(w =>
            {
                w.WriteString("type", "result");
                w.WriteNumber("id", id);
                w.WriteBoolean("ok", true);
                if (method.ResultType is not null)
                {
                    w.WritePropertyName("value");
                    JsonSerializer.Serialize(w, result, method.ResultType, WireJson.Options);
                }
            });
        }
        catch (GrainCallRejectedException e)
        {
            SendError(id, e.Kind, e.Message);
        }
        catch (GrainAuthorizationException e)
        {
            SendError(id, WireError.Unauthorized, e.Message);
        }
        catch (GrainCallTimeoutException e)
        {
            SendError(id, WireError.Timeout, e.Message);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            SendError(id, WireError.Cancelled, "cancelled by the caller");
        }
        catch (Exception e)
        {
            SendError(id, WireError.Grain, e.Message, e.GetType().FullName);
        }
        finally
        {
            _calls.TryRemove(id, out _);
            document.Dispose();
            _inFlight.Release();
        }
    }

    private (GrainClassInfo GrainClass, GrainMethod Method) Resolve(JsonElement root)
    {
        var interfaceName = root.TryGetProperty("interface", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : null;
        var methodName = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : null;
        if (interfaceName is null || methodName is null)
            throw new GrainCallRejectedException(WireError.Protocol, "a call needs string \"interface\" and \"method\"");
        var grainInterface = runtime.Registry.FindInterface(interfaceName)
            ?? throw new GrainCallRejectedException(WireError.UnknownInterface, $"interface \"{interfaceName}\" is not served by this silo");
        var method = GrainInterfaceInfo.Get(grainInterface).FindMethod(methodName)
            ?? throw new GrainCallRejectedException(WireError.UnknownMethod, $"{grainInterface.Name} has no method \"{methodName}\"");
        if (!Identity.MayCall(method))
            throw new GrainAuthorizationException($"{Identity.Name} may not call {method}: it needs one of the roles {string.Join(", ", method.Roles)}");
        return (runtime.Registry.ForInterface(grainInterface), method);
    }

    private static string ReadKey(JsonElement root, Type grainInterface)
    {
        if (!root.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String)
            throw new GrainCallRejectedException(WireError.BadArguments, "a call needs a string \"key\"");
        var key = k.GetString()!;
        if (typeof(IGrainWithIntegerKey).IsAssignableFrom(grainInterface))
            return long.TryParse(key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? GrainId.KeyOf(n)
                : throw new GrainCallRejectedException(WireError.BadArguments, $"key \"{key}\" is not a 64-bit integer ({grainInterface.Name} has integer keys)");
        if (typeof(IGrainWithGuidKey).IsAssignableFrom(grainInterface))
            return Guid.TryParse(key, out var g) ? GrainId.KeyOf(g) : throw new GrainCallRejectedException(WireError.BadArguments, $"key \"{key}\" is not a GUID");
        if (key.Length is 0 or > 1024) throw new GrainCallRejectedException(WireError.BadArguments, "key must have 1 to 1024 characters");
        return key;
    }

    private void CompleteObserverCall(long id, JsonElement root)
    {
        if (!_observerCalls.TryRemove(id, out var call)) return;
        if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            try
            {
                var value = call.Method.ResultType is not null && root.TryGetProperty("value", out var v) ? v.Deserialize(call.Method.ResultType, WireJson.Options) : null;
                call.Completion.TrySetResult(value);
            }
            catch (JsonException e)
            {
                call.Completion.TrySetException(new GrainCallRejectedException(WireError.BadArguments, "observer result: " + e.Message));
            }

            return;
        }

        var error = root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object ? err : default;
        var kind = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("kind", out var kk) ? kk.GetString() : null;
        var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var mm) ? mm.GetString() ?? "" : "observer call failed";
        call.Completion.TrySetException(kind == WireError.ObserverExpired
            ? new ObserverExpiredException(message)
            : new RemoteGrainException(error.ValueKind == JsonValueKind.Object && error.TryGetProperty("type", out var tt) ? tt.GetString() ?? kind ?? "" : kind ?? "", message));
    }

    private void SendError(long? id, string kind, string message, string? exceptionType = null) => Send(w =>
    {
        w.WriteString("type", "result");
        if (id is not null) w.WriteNumber("id", id.Value);
        else w.WriteNull("id");
        w.WriteBoolean("ok", false);
        w.WriteStartObject("error");
        w.WriteString("kind", kind);
        if (exceptionType is not null) w.WriteString("type", exceptionType);
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    private void Send(Action<Utf8JsonWriter> body)
    {
        if (_closed) return;
        _outbox.Writer.TryWrite(WireProtocol.Message(body));
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync())
                await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            logger.LogDebug(e, "Send to {Client} stopped", Identity.Name);
        }
    }

    private void Close()
    {
        _closed = true;
        _outbox.Writer.TryComplete();
        foreach (var (_, call) in _observerCalls) call.Completion.TrySetException(new ObserverExpiredException($"The client {Identity.Name} disconnected."));
        _observerCalls.Clear();
        foreach (var (_, cts) in _calls)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
