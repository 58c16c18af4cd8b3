using Alerts.GrainInterfaces;

namespace Alerts.Client;

/// <summary>
/// Keeps a gateway subscribed to the push hub: subscribes, then renews at a third of the lease the hub
/// grants, so a silo failure (the hub moves to another silo and starts empty) or a missed renewal costs
/// at most a third of a lease. Dispose to stop renewing; the hub then drops the gateway when its lease ends.
/// </summary>
public sealed class PushSubscription : IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly string _gatewayName;
    private readonly IPushGateway _reference;
    private readonly CancellationTokenSource _stopping = new();
    private Task _renewing = Task.CompletedTask;
    private readonly object _disposalGate = new();
    private Task? _disposal;

    private PushSubscription(IClusterClient client, string gatewayName, IPushGateway gateway)
    {
        _client = client;
        _gatewayName = gatewayName;
        // The reference keeps the gateway object reachable only weakly: this field keeps it alive.
        Gateway = gateway;
        _reference = client.CreateObjectReference<IPushGateway>(gateway);
    }

    /// <summary>The gateway object receiving the batches.</summary>
    public IPushGateway Gateway { get; }

    /// <summary>Raised when a renewal fails (the next one is tried a third of a lease later, also when a handler throws).</summary>
    public event Action<Exception>? RenewalFailed;

    /// <summary>Subscribes <paramref name="gateway"/> under <paramref name="gatewayName"/> and keeps it subscribed.</summary>
    public static async Task<PushSubscription> StartAsync(IClusterClient client, string gatewayName, IPushGateway gateway)
    {
        var subscription = new PushSubscription(client, gatewayName, gateway);
        var lease = await subscription.SubscribeAsync();
        subscription._renewing = subscription.RenewAsync(lease, subscription._stopping.Token);
        return subscription;
    }

    private Task<TimeSpan> SubscribeAsync() => _client.GetGrain<IPushHubGrain>(0).Subscribe(_gatewayName, _reference);

    private async Task RenewAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await SubscribeAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Each handler on its own: a faulty one must neither stop the renewals (the gateway would lose its
                    // lease silently) nor keep the others from hearing of the failure.
                    foreach (var handler in RenewalFailed?.GetInvocationList() ?? [])
                    {
                        try
                        {
                            ((Action<Exception>)handler)(e);
                        }
                        catch (Exception)
                        {
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // A host's stopping hook and an `await using` may both dispose: later calls wait for the first one's work.
    public ValueTask DisposeAsync()
    {
        lock (_disposalGate) _disposal ??= DisposeOnceAsync();
        return new ValueTask(_disposal);
    }

    private async Task DisposeOnceAsync()
    {
        await _stopping.CancelAsync();
        await _renewing;
        _client.DeleteObjectReference<IPushGateway>(_reference);
        _stopping.Dispose();
    }
}
