using Alerts.GrainInterfaces;

namespace Alerts.Client;

/// <summary>
/// A mobile gateway's connection to Alerts: reports location fixes, opt-outs and erasures, and receives
/// the push batches the hub sends, handing each batch id to the app once and acknowledging it. It stays
/// subscribed by itself: renewals at a third of the hub's lease, and a new subscription as soon as the
/// Orleans client has a gateway again after losing its connection to the cluster.
/// </summary>
public sealed partial class GatewayConnection : IAsyncDisposable
{
    /// <summary>The most updates the residency grain takes in one call by default; <see cref="GatewayConnectionOptions.UpdatesPerCall"/> sets it.</summary>
    public const int MaxUpdatesPerCall = 10_000;

    // A failed subscription is tried again this soon (or at the next renewal, if that comes first).
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    // At disposal, acknowledgements still on their way get this long to reach the hub.
    private static readonly TimeSpan AckWaitAtDisposal = TimeSpan.FromSeconds(5);

    private readonly string _name;
    private readonly PushDeliveries _deliveries;
    private readonly ClusterConnectionWatch _watch = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guards the state, the subscription tickets, the lease and the wake-up signal. StateChanged is raised
    // under it, so subscribers see the changes in the order they happened.
    private readonly object _gate = new();
    private GatewayState _state = GatewayState.Connecting;

    // Each subscription attempt takes a ticket; its outcome counts only if no newer attempt has counted
    // and no connection loss came after it started (a loss moves _countedTicket past every attempt begun).
    private long _nextTicket;
    private long _countedTicket;
    private TimeSpan _lease;
    private long _resubscriptions;
    private long _drainRenewals;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly int _updatesPerCall;
    private readonly int _engagementEventsPerCall;
    private readonly TimeSpan _deliveryDrainTimeout;
    // Told to the hub as this gateway's room: it hands over no more unacknowledged batches than deliveries can run.
    private readonly int _maxConcurrentDeliveries;
    private AlertsClient? _client;
    private IPushGateway? _reference;
    private Task _keeping = Task.CompletedTask;
    private int _disposed;
    // Completes when the first DisposeAsync has finished: later callers wait for it (a host's stopping hook and an
    // `await using` both dispose; the second returning early let Main exit in the middle of the drain).
    private readonly TaskCompletionSource _disposal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayConnection(GatewayConnectionOptions options, Func<PushBatch, CancellationToken, Task> deliver)
    {
        _name = options.Name ?? AccessTokenSource.ParseCredential(options.Cluster.Credential).Name;
        _updatesPerCall = options.UpdatesPerCall;
        _engagementEventsPerCall = options.EngagementEventsPerCall;
        _deliveryDrainTimeout = options.DeliveryDrainTimeout;
        _maxConcurrentDeliveries = options.MaxConcurrentDeliveries;
        // Not through Client: the acknowledgements of the last deliveries are sent while disposing.
        _deliveries = new PushDeliveries(deliver, ids => _client!.GetGrain<IPushHubGrain>(0).Acknowledge(ids), options.RememberedBatchIds, options.MaxConcurrentDeliveries);
        _deliveries.DeliveryFailed += (batch, e) => DeliveryFailed?.Invoke(batch, e);
        _watch.Lost += OnConnectionLost;
        _watch.Recovered += OnConnectionRecovered;
    }

    /// <summary>Where the connection stands.</summary>
    public GatewayState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>
    /// Raised on every change of <see cref="State"/>, in order. Handlers run on the thread that made the
    /// change (sometimes Orleans' networking thread) while the connection holds its state lock: return
    /// quickly, and do not call <see cref="DisposeAsync"/> from one.
    /// </summary>
    public event Action<GatewayState>? StateChanged;

    /// <summary>Raised when the delivery callback throws; the batch is not acknowledged, so the hub sends it again after its AckTimeout.</summary>
    public event Action<PushBatch, Exception>? DeliveryFailed;

    /// <summary>Raised when subscribing or renewing at the push hub fails; the connection tries again by itself.</summary>
    public event Action<Exception>? SubscriptionFailed;

    /// <summary>Counters since the connection started.</summary>
    public GatewayCounters Counters =>
        new(_deliveries.BatchesDelivered, _deliveries.UsersDelivered, _deliveries.DuplicatesDropped, _deliveries.Acknowledged, Interlocked.Read(ref _resubscriptions), Interlocked.Read(ref _drainRenewals));

    private AlertsClient Client => Volatile.Read(ref _disposed) == 0 && _client is { } client ? client : throw new ObjectDisposedException(nameof(GatewayConnection));

    /// <summary>
    /// Connects (through <see cref="AlertsClient.ConnectAsync"/>, with its retries), signs in and subscribes
    /// at the push hub under <see cref="GatewayConnectionOptions.Name"/>; from then on every batch the hub
    /// pushes is handed to <paramref name="deliver"/> (see the README's "Mobile-gateway library").
    /// </summary>
    /// <param name="options">The cluster, the credential and the subscription name.</param>
    /// <param name="deliver">
    /// Delivers a batch to the phones; completing acknowledges the batch, throwing leaves it to be sent
    /// again. Runs off the hub's call, up to <see cref="GatewayConnectionOptions.MaxConcurrentDeliveries"/>
    /// at once; its token is cancelled when the connection is disposed.
    /// </param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <exception cref="ArgumentException">An option is missing or malformed (the message names it).</exception>
    /// <exception cref="InvalidOperationException">The cluster cannot be reached, the credential is refused, the hub refuses the subscription, or the first subscription was cancelled by anything but <paramref name="cancellationToken"/> (the message names the gateway; the cancellation is the inner exception).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<GatewayConnection> ConnectAsync(GatewayConnectionOptions options, Func<PushBatch, CancellationToken, Task> deliver, CancellationToken cancellationToken = default) =>
        ConnectAsync(options, deliver, configure: null, cancellationToken);

    // The tests' seam: `configure` adds to the Orleans client (an outgoing call filter that fails a subscription as a
    // host's own filter or a disposed part of it would), which no silo can provoke from its side.
    internal static async Task<GatewayConnection> ConnectAsync(GatewayConnectionOptions options, Func<PushBatch, CancellationToken, Task> deliver, Action<IClientBuilder>? configure, CancellationToken cancellationToken)
    {
        Validate(options);
        ArgumentNullException.ThrowIfNull(deliver);
        var connection = new GatewayConnection(options, deliver);
        try
        {
            connection._client = await AlertsClient.ConnectAsync(options.Cluster, cancellationToken, configure: client =>
            {
                client.AddClusterConnectionStatusObserver(connection._watch);
                configure?.Invoke(client);
            });
            await connection.SubscribeFirstAsync(options, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task SubscribeFirstAsync(GatewayConnectionOptions options, CancellationToken cancellationToken)
    {
        // The reference holds the receiver only weakly: _deliveries keeps it alive.
        _reference = Client.CreateObjectReference<IPushGateway>(_deliveries.Receiver);
        _deliveries.Start();
        long ticket;
        lock (_gate) ticket = ++_nextTicket;
        TimeSpan lease;
        try
        {
            lease = await Client.GetGrain<IPushHubGrain>(0).Subscribe(_name, _reference, _maxConcurrentDeliveries).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation (a filter of the host's client giving up on the call, say): a bare
            // OperationCanceledException would read as the caller's own, and until 2026-12-02 escaped as one.
            throw new InvalidOperationException($"Connected to cluster {options.Cluster.ClusterId}, but the first subscription of gateway \"{_name}\" at the push hub did not complete: it was cancelled, not by the caller's token ({e.Message})", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Connected to cluster {options.Cluster.ClusterId}, but the push hub refused gateway \"{_name}\": {e.Message}", e);
        }

        lock (_gate)
        {
            _lease = lease;
            if (ticket > _countedTicket)
            {
                _countedTicket = ticket;
                SetState(GatewayState.Connected);
            }
            else
            {
                // The connection dropped while the subscription was on its way: subscribe again as soon as it is back. Its
                // recovery may have come already (ignored while connecting), so the loop starts at once instead of waiting.
                SetState(GatewayState.Reconnecting);
                _wake.TrySetResult();
            }
        }

        _keeping = Task.Run(KeepSubscribedAsync);
    }

    // One loop renews at a third of the lease and retries failures; a recovered connection wakes it at
    // once, also while an attempt made during the outage still hangs (a call with no gateway can wait for
    // the response timeout), since that attempt's outcome no longer counts.
    private async Task KeepSubscribedAsync()
    {
        var closed = _closed.Task;
        var wait = Lease / 3;
        while (true)
        {
            if (wait > TimeSpan.Zero) await Task.WhenAny(Task.Delay(wait, _closing.Token), WakeTask(), closed);
            if (closed.IsCompleted) return;
            ResetWake();
            var attempt = TrySubscribeAsync();
            var first = await Task.WhenAny(attempt, WakeTask(), closed);
            if (closed.IsCompleted) return;
            if (first != attempt)
            {
                wait = TimeSpan.Zero;
                continue;
            }

            wait = await attempt ? Lease / 3 : Min(RetryDelay, Lease / 3);
        }
    }

    /// <summary>Subscribes once; true when the connection is Connected afterwards.</summary>
    private async Task<bool> TrySubscribeAsync()
    {
        long ticket;
        lock (_gate) ticket = ++_nextTicket;
        try
        {
            var lease = await Client.GetGrain<IPushHubGrain>(0).Subscribe(_name, _reference!, _maxConcurrentDeliveries);
            lock (_gate)
            {
                if (_state == GatewayState.Closed || ticket <= _countedTicket) return _state == GatewayState.Connected;
                _countedTicket = ticket;
                _lease = lease;
                if (_state == GatewayState.Reconnecting) _resubscriptions++;
                SetState(GatewayState.Connected);
                return true;
            }
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) == 1)
        {
            // This connection is being disposed (Client refuses, or the Orleans client it disposes does): no failure. Any
            // other ObjectDisposedException (a part of the host's that the call went through) is a failure like any other.
            return false;
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                if (_state == GatewayState.Closed) return false;
                if (ticket > _countedTicket)
                {
                    _countedTicket = ticket;
                    SetState(GatewayState.Reconnecting);
                }
            }

            try
            {
                SubscriptionFailed?.Invoke(e);
            }
            catch (Exception)
            {
                // A faulty handler must not stop the renewals.
            }

            return false;
        }
    }

    // Called by Orleans on its networking path: only bookkeeping here.
    private void OnConnectionLost()
    {
        lock (_gate)
        {
            if (_state == GatewayState.Closed) return;
            _countedTicket = _nextTicket;
            if (_state == GatewayState.Connected) SetState(GatewayState.Reconnecting);
        }
    }

    // Called by Orleans on its networking path. The first connection also reports a recovery; the
    // first subscription follows it anyway, so only recoveries after that wake the loop.
    private void OnConnectionRecovered()
    {
        lock (_gate)
        {
            if (_state is GatewayState.Closed or GatewayState.Connecting) return;
            _wake.TrySetResult();
        }
    }

    private Task WakeTask()
    {
        lock (_gate) return _wake.Task;
    }

    private void ResetWake()
    {
        lock (_gate)
        {
            if (_wake.Task.IsCompleted) _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private TimeSpan Lease
    {
        get { lock (_gate) return _lease; }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // Callers hold _gate.
    private void SetState(GatewayState state)
    {
        if (_state == state || _state == GatewayState.Closed) return;
        _state = state;
        try
        {
            StateChanged?.Invoke(state);
        }
        catch (Exception)
        {
            // A faulty handler must not break the connection's bookkeeping (it may run on Orleans' thread).
        }
    }

    /// <summary>
    /// Reports location fixes. Any number of updates: they go in calls of at most
    /// <see cref="GatewayConnectionOptions.UpdatesPerCall"/>, one after another, and the counts are added up; each rejection's
    /// <see cref="RejectedUpdate.Index"/> is its position in <paramref name="updates"/>. Thread-safe: several
    /// reports may be in flight. A call answers only once its positions are written, so an answered part survives a
    /// silo's crash. If the first call fails its exception propagates (none was answered; one that timed out may still
    /// have been applied: send the list again); if a later one fails, a
    /// <see cref="ReportInterruptedException{TResult}"/> of <see cref="IngestResult"/> says how many updates from the start were
    /// applied (<see cref="ReportInterruptedException.Reported"/>: send again from there) and what their calls answered,
    /// with the failure inside. Reporting the same fixes again is harmless (the same fix is stored again, and this time
    /// answered once written; an older one is ignored).
    /// </summary>
    /// <param name="updates">The fixes.</param>
    /// <param name="cancellationToken">Stops waiting (a call already sent still completes in the cluster) and sends no further part: a <see cref="ReportCanceledException{TResult}"/> of <see cref="IngestResult"/> says from which index to send again.</param>
    public async Task<IngestResult> ReportAsync(IReadOnlyList<LocationUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var residency = Client.GetGrain<IResidencyGrain>(0);
        int applied = 0, ignored = 0, rejected = 0;
        var rejections = new List<RejectedUpdate>();
        await ReportParts.ForEachAsync(updates, _updatesPerCall, async (part, start) =>
        {
            var result = await residency.Report(part).WaitAsync(cancellationToken);
            applied += result.Applied;
            ignored += result.Ignored;
            rejected += result.Rejected;
            foreach (var rejection in result.Rejections) rejections.Add(rejection with { Index = rejection.Index + start });
        }, () => new IngestResult(applied, ignored, rejected, rejections), cancellationToken);

        return new IngestResult(applied, ignored, rejected, rejections);
    }

    /// <summary>Stops (<paramref name="optedOut"/> true) or resumes (false) alerts for a user; durable when the task completes.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="optedOut">True to stop alerts, false to resume them.</param>
    /// <param name="cancellationToken">Stops waiting (the call still completes in the cluster).</param>
    public Task SetOptOutAsync(long userId, bool optedOut, CancellationToken cancellationToken = default) =>
        Client.GetGrain<IResidencyGrain>(0).SetOptOut(userId, optedOut).WaitAsync(cancellationToken);

    /// <summary>Deletes every row about a user and removes them from batches not yet acknowledged.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Stops waiting (the call still completes in the cluster).</param>
    public Task EraseAsync(long userId, CancellationToken cancellationToken = default) =>
        Client.GetGrain<IResidencyGrain>(0).Erase(userId).WaitAsync(cancellationToken);

    /// <summary>
    /// Closes the connection: <see cref="State"/> becomes Closed, running deliveries see their token cancelled and
    /// are waited for up to <see cref="GatewayConnectionOptions.DeliveryDrainTimeout"/> while the lease is still
    /// renewed, with no room for new batches (a delivery still running then is left to finish on its own, unacknowledged), the acknowledgements of
    /// those that completed are sent (for up to 5 s). When no delivery is left running, the connection then leaves the
    /// hub, which gives its unacknowledged batches to the other gateways at once; otherwise the hub does so when this
    /// one's lease lapses, giving the running deliveries that long. Then the observer is dropped and the client
    /// disconnects. It may be called from inside the delivery callback: it then does not wait for that delivery, which is
    /// therefore not acknowledged. A second call returns when the first has finished (at once from a delivery callback).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            // Not from a delivery callback: the disposal waits for the running deliveries, that one included.
            if (!_deliveries.InDelivery) await _disposal.Task;
            return;
        }

        try
        {
            lock (_gate) SetState(GatewayState.Closed);
            _closed.TrySetResult();
            await _closing.CancelAsync();
            await _keeping;
            if (_client is { } client)
            {
                bool finished;
                using (var drained = new CancellationTokenSource())
                {
                    var renewing = _reference is { } held ? RenewWhileDrainingAsync(client, held, drained.Token) : Task.CompletedTask;
                    try
                    {
                        finished = await _deliveries.StopAsync(_deliveryDrainTimeout, AckWaitAtDisposal);
                    }
                    finally
                    {
                        await drained.CancelAsync();
                        await renewing;
                    }
                }

                if (_reference is not null)
                {
                    // Not while a delivery still runs (past the drain, or the one disposing): handed to another gateway
                    // now, its users would get it twice; the lease lapsing gives it time to finish.
                    if (finished) await LeaveAsync(client, _reference);
                    client.Cluster.DeleteObjectReference<IPushGateway>(_reference);
                }

                await client.DisposeAsync();
            }

            _closing.Dispose();
        }
        finally
        {
            _disposal.TrySetResult();
        }
    }

    // The renewals stop as disposal begins, but a drain can outlast the lease (a long DeliveryDrainTimeout, or none): the
    // hub would then hand the running deliveries' batches to another gateway, and their users would get them twice. The
    // lease is renewed at once and then at a third of it, with no room (the hub hands a closing gateway nothing new); a
    // renewal under way when the drain ends is waited for (up to AckWaitAtDisposal), so it cannot reach the hub after the
    // Unsubscribe that follows and subscribe the closed gateway again.
    private async Task RenewWhileDrainingAsync(AlertsClient client, IPushGateway reference, CancellationToken drained)
    {
        var wait = Lease / 3;
        if (wait <= TimeSpan.Zero) return;
        var hub = client.GetGrain<IPushHubGrain>(0);
        while (!drained.IsCancellationRequested)
        {
            var renewal = hub.Subscribe(_name, reference, 0);
            try
            {
                // No lease: the connection holds no name (another took it over, or the hub restarted), nothing renewed.
                if (await renewal.WaitAsync(AckWaitAtDisposal) > TimeSpan.Zero) Interlocked.Increment(ref _drainRenewals);
            }
            catch (Exception)
            {
                // Tried again at the next turn; the lease may lapse meanwhile, as it would have without these (a silo
                // older than draining renewals refuses them).
                Observe(renewal);
            }

            try
            {
                await Task.Delay(wait, drained);
            }
            catch (OperationCanceledException) when (drained.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // After the drain: what this gateway did not finish goes to the others now, not a lease later (up to a minute of a
    // case's first minutes). Batches the hub sent during the drain, which found the arrivals closed, go with them.
    private async Task LeaveAsync(AlertsClient client, IPushGateway reference)
    {
        var leaving = client.GetGrain<IPushHubGrain>(0).Unsubscribe(_name, reference);
        try
        {
            await leaving.WaitAsync(AckWaitAtDisposal);
        }
        catch (Exception)
        {
            // The hub is unreachable: the lease lapses instead.
            Observe(leaving);
        }
    }

    // An abandoned call must not fault unobserved.
    private static void Observe(Task abandoned) =>
        _ = abandoned.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);

    /// <summary>The longest <see cref="GatewayConnectionOptions.DeliveryDrainTimeout"/> other than Timeout.InfiniteTimeSpan.</summary>
    public static readonly TimeSpan MaxDeliveryDrainTimeout = TimeSpan.FromDays(49);

    private static void Validate(GatewayConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Name is not null && string.IsNullOrWhiteSpace(options.Name))
            throw new ArgumentException("GatewayConnectionOptions.Name is empty: give each gateway instance its own subscription name (or leave it null for the credential's name)", nameof(options));
        if (options.RememberedBatchIds < 1)
            throw new ArgumentException($"GatewayConnectionOptions.RememberedBatchIds is {options.RememberedBatchIds}: it must be at least 1", nameof(options));
        if (options.MaxConcurrentDeliveries < 1)
            throw new ArgumentException($"GatewayConnectionOptions.MaxConcurrentDeliveries is {options.MaxConcurrentDeliveries}: it must be at least 1", nameof(options));
        // A timer's longest wait bounds it (Task.WaitAsync refuses more, which would fail disposal half-way).
        if (options.DeliveryDrainTimeout != Timeout.InfiniteTimeSpan && (options.DeliveryDrainTimeout < TimeSpan.Zero || options.DeliveryDrainTimeout > MaxDeliveryDrainTimeout))
            throw new ArgumentException($"GatewayConnectionOptions.DeliveryDrainTimeout is {options.DeliveryDrainTimeout}: it must be from 0 to {MaxDeliveryDrainTimeout.TotalDays} days, or Timeout.InfiniteTimeSpan to wait for every delivery", nameof(options));
        if (options.UpdatesPerCall < 1 || options.EngagementEventsPerCall < 1)
            throw new ArgumentException($"GatewayConnectionOptions.UpdatesPerCall ({options.UpdatesPerCall}) and EngagementEventsPerCall ({options.EngagementEventsPerCall}) must be at least 1", nameof(options));
        if (options.Cluster is null)
            throw new ArgumentException("GatewayConnectionOptions.Cluster is missing", nameof(options));
        try
        {
            AccessTokenSource.ParseCredential(options.Cluster.Credential);
        }
        catch (ArgumentException)
        {
            // The parser's message would name its own parameter; the credential itself is never repeated (it holds a secret).
            throw new ArgumentException("GatewayConnectionOptions.Cluster.Credential must be \"name:secret\" with neither part empty", nameof(options));
        }

        // The hub refuses any other name (one credential must not take another gateway's batches): said before connecting.
        var credentialName = AccessTokenSource.ParseCredential(options.Cluster.Credential).Name;
        if (options.Name is { } name && !GatewayNames.IsOwnedBy(name, credentialName))
            throw new ArgumentException(GatewayNames.Refusal("GatewayConnectionOptions.Name", name, credentialName), nameof(options));

        // Set but empty (an environment variable left blank): Orleans' own refusal came after connecting began, naming its option.
        if (options.Cluster.MembershipConnectionString is { } membership && string.IsNullOrWhiteSpace(membership))
            throw new ArgumentException("GatewayConnectionOptions.Cluster.MembershipConnectionString is empty: set the PostgreSQL connection string of the cluster's membership table, or leave it unset (null) to use Gateways", nameof(options));
        if (options.Cluster.MembershipConnectionString is null && (options.Cluster.Gateways is null || options.Cluster.Gateways.Count == 0))
            throw new ArgumentException("GatewayConnectionOptions.Cluster.Gateways is empty and no MembershipConnectionString is set: there is nowhere to connect", nameof(options));
        if (string.IsNullOrWhiteSpace(options.Cluster.ClusterId) || string.IsNullOrWhiteSpace(options.Cluster.ServiceId))
            throw new ArgumentException("GatewayConnectionOptions.Cluster.ClusterId and ServiceId must not be empty: they are the silos' Alerts:Cluster:ClusterId and ServiceId", nameof(options));
        // Static gateways are addresses, not host names: a name (a Kubernetes service) is refused here rather than by Orleans.
        if (options.Cluster.MembershipConnectionString is null
            && options.Cluster.Gateways!.FirstOrDefault(g => !System.Net.IPEndPoint.TryParse(g, out var endpoint) || endpoint.Port == 0) is { } bad)
            throw new ArgumentException($"GatewayConnectionOptions.Cluster.Gateways has \"{bad}\": each must be an IP address and port, e.g. 10.0.0.5:30000 (host names are not resolved; or set MembershipConnectionString)", nameof(options));
    }
}
