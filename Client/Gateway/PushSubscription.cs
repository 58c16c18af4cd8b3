using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Client;

/// <summary>
/// Keeps a gateway subscribed to the push hub: subscribes, then renews at a third of the lease the hub
/// granted last (each answer sets the next wait: a hub restarted with a shorter lease is renewed in time), so a
/// silo failure (the hub moves to another silo and starts empty) or a missed renewal costs at most a third of a
/// lease. Dispose to stop renewing; the hub then drops the gateway when its lease ends. A failed renewal, and a lease
/// that has lapsed by this side's clock (no renewal answered within it), are logged at Warning.
/// </summary>
public sealed class PushSubscription : IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly string _gatewayName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IPushGateway _reference;
    private readonly CancellationTokenSource _stopping = new();
    private Task _renewing = Task.CompletedTask;
    private readonly object _disposalGate = new();
    private Task? _disposal;

    private PushSubscription(IClusterClient client, string gatewayName, IPushGateway gateway, TimeProvider time, ILogger logger)
    {
        _client = client;
        _gatewayName = gatewayName;
        _time = time;
        _logger = logger;
        // The reference keeps the gateway object reachable only weakly: this field keeps it alive.
        Gateway = gateway;
        _reference = client.CreateObjectReference<IPushGateway>(gateway);
    }

    /// <summary>The gateway object receiving the batches.</summary>
    public IPushGateway Gateway { get; }

    /// <summary>Raised when a renewal fails, also one cancelled by anything but this subscription's disposal (the next one is tried a third of a lease later, also when a handler throws).</summary>
    public event Action<Exception>? RenewalFailed;

    /// <summary>Subscribes <paramref name="gateway"/> under <paramref name="gatewayName"/> and keeps it subscribed.</summary>
    public static Task<PushSubscription> StartAsync(IClusterClient client, string gatewayName, IPushGateway gateway) =>
        StartAsync(client, gatewayName, gateway, TimeProvider.System);

    /// <summary>As <see cref="StartAsync(IClusterClient, string, IPushGateway)"/>, timing the renewals on <paramref name="time"/>.</summary>
    public static Task<PushSubscription> StartAsync(IClusterClient client, string gatewayName, IPushGateway gateway, TimeProvider time) =>
        StartAsync(client, gatewayName, gateway, time, null);

    /// <summary>
    /// As <see cref="StartAsync(IClusterClient, string, IPushGateway, TimeProvider)"/>, logging failed renewals and a lapsed
    /// lease to <paramref name="logger"/>; null logs them through the client's own logging (its <see cref="ILoggerFactory"/>,
    /// as <see cref="AlertsClient.ConnectAsync"/> configures it), or nowhere when the client has none.
    /// </summary>
    /// <remarks>When the first subscription fails, its exception comes as it is and nothing is left behind (the observer
    /// reference made for it is dropped): start again to retry.</remarks>
    public static async Task<PushSubscription> StartAsync(IClusterClient client, string gatewayName, IPushGateway gateway, TimeProvider time, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        logger ??= client.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger<PushSubscription>() ?? NullLogger<PushSubscription>.Instance;
        var subscription = new PushSubscription(client, gatewayName, gateway, time, logger);
        var sent = time.GetUtcNow();
        TimeSpan lease;
        try
        {
            lease = await subscription.SubscribeAsync();
        }
        catch (Exception)
        {
            // The caller never sees this subscription, so nobody else could drop its observer reference: each failed
            // start (a gateway retrying against a hub that refuses it) would leave one registered in the client for good.
            try
            {
                await subscription.DisposeAsync();
            }
            catch (Exception)
            {
                // The subscription's own failure is the one to report.
            }

            throw;
        }

        subscription._renewing = subscription.RenewAsync(lease, sent, subscription._stopping.Token);
        return subscription;
    }

    private Task<TimeSpan> SubscribeAsync() => _client.GetGrain<IPushHubGrain>(0).Subscribe(_gatewayName, _reference);

    // Each renewal is sent a third of the lease the hub granted last after the one before was sent: a hub restarted on a
    // silo with a shorter GatewayLease (a rolling restart) grants less than the first, and renewals timed on the first
    // lease let it lapse. A failed renewal keeps the last lease. One that took longer than that (waiting out its timeout
    // while the hub's silo is gone) is followed at once, not a third of a lease after its answer: by then the lease
    // would have lapsed.
    private async Task RenewAsync(TimeSpan lease, DateTimeOffset sent, CancellationToken cancellationToken)
    {
        // When the last renewal the hub answered was sent (the first subscription, to begin with), and whether the lease
        // counted from it has been logged as lapsed.
        var answered = sent;
        var lapsed = false;
        try
        {
            while (true)
            {
                var wait = lease / 3 - (_time.GetUtcNow() - sent);
                // At most a third of a lease, even if the clock was set back.
                if (wait > lease / 3) wait = lease / 3;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, cancellationToken);
                else cancellationToken.ThrowIfCancellationRequested();
                sent = _time.GetUtcNow();
                try
                {
                    var granted = await SubscribeAsync();
                    // A lease of zero (which no hub grants this call) would renew without a pause.
                    if (granted > TimeSpan.Zero) lease = granted;
                    answered = sent;
                    if (lapsed) _logger.LogInformation("Gateway {Gateway} is subscribed at the push hub again", _gatewayName);
                    lapsed = false;
                }
                catch (Exception e)
                {
                    // Only this subscription's disposal ends the renewals. The call takes no token of its own, so a
                    // cancellation it throws came from elsewhere (a filter of the host's client giving up on it, say):
                    // a failed renewal like any other, and the next one comes on schedule (until 2026-12-02 it ended
                    // the renewals silently, and the lease lapsed).
                    if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) return;

                    var reason = $"{e.GetType().Name}: {e.Message}";
                    _logger.LogWarning("Renewing the push hub subscription of gateway {Gateway} failed; the next renewal is sent {Wait} after this one was: {Reason}", _gatewayName, lease / 3, reason);
                    // The hub counts the lease from the last renewal it took: by now, by this side's clock, it has let the
                    // gateway go and is giving its unacknowledged batches to other gateways.
                    if (!lapsed && _time.GetUtcNow() - answered >= lease)
                    {
                        lapsed = true;
                        _logger.LogWarning("The push hub subscription of gateway {Gateway} is lost: no renewal was answered within its lease of {Lease}, so the hub has let the gateway go (its unacknowledged batches go to other gateways) until a renewal is answered; last failure: {Reason}", _gatewayName, lease, reason);
                    }

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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
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
