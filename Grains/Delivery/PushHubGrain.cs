using Microsoft.Extensions.DependencyInjection;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// Delivers push batches to the connected gateways, at least once: batches are durable in the outbox
/// until acknowledged; each gateway holds at most a few unacknowledged batches (a slow one slows only
/// itself); batches go round-robin in outbox order (nearest first). A batch unacknowledged after the ack
/// timeout goes out again with the same id to the gateway that holds it, which drops a batch it is still
/// delivering or has delivered: another gateway knows nothing of it and would push its users twice. It goes
/// to the others once its gateway is gone (lease lapsed, delivery refused), or has held it unacknowledged
/// through <see cref="ResendsToHolder"/> resends (its delivery hangs or keeps failing while it still renews):
/// then that batch alone goes to another gateway, unless the holder is the only one. A gateway that comes back on a new
/// connection is owed what its old one held, sent as its new room allows.
/// Gateways hold a lease: they subscribe again within <see cref="AlertsOptions.GatewayLease"/>, or
/// count as gone (a one-way push to a vanished client fails silently, so silence is the only signal).
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class PushHubGrain(OutboxStore store, IOptions<AlertsOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time, ILogger<PushHubGrain> logger) : Grain, IPushHubGrain, IPushOutboxGrain
{
    // Enough to cover every batch acknowledged while a case's Enqueue waits in this grain's queue.
    private const int RecentlyAcknowledgedKept = 50_000;

    /// <summary>Resends of a batch to the gateway holding it before it goes to the others: 4 ack timeouts (2 minutes by default) in all.</summary>
    public const int ResendsToHolder = 3;
    private readonly AlertsOptions _options = options.Value;
    private readonly SortedDictionary<long, PushBatch> _pending = new();
    private readonly Dictionary<long, (PushBatch Batch, string Gateway, DateTimeOffset SentAt, int Resends)> _inFlight = new();
    private readonly List<Link> _gateways = [];
    private readonly RecentBatchIds _acknowledgedIds = new(RecentlyAcknowledgedKept);
    // Acknowledged batches whose rows a failed delete left: deleted again at each check until it succeeds, so a hub
    // restarted before the gateway retried (or the sweep came) does not push them again.
    private readonly HashSet<long> _undeleted = [];
    // While those deletes keep failing, tried again less often (up to once a sweep interval): a check waiting on a
    // database that is away would hold up the lease checks and resends behind it.
    private static readonly TimeSpan FirstDeleteRetry = TimeSpan.FromSeconds(1);
    private TimeSpan _deleteRetry = FirstDeleteRetry;
    private DateTimeOffset _deleteRetryAt;
    // Batches taken from a gateway that did not acknowledge them through their resends, and that gateway.
    private readonly Dictionary<long, string> _notTo = new();
    // Batches handed to a gateway and not yet acknowledged, wherever they are now: one back in the queue (its gateway's
    // lease lapsed, or it went unacknowledged through its resends) may already be on phones. Those an earlier activation
    // may have handed come from the durable mark below as this one starts. Each with the gateway name it was last handed
    // to, whose credential alone may acknowledge it (null: by an earlier activation, holder unknown: any gateway credential).
    private readonly Dictionary<long, string?> _handed = [];

    /// <summary>How many batch ids past the one being handed the durable mark reserves: one write per so many hand-overs.</summary>
    public const long HandedMarkAhead = 64;
    // Batches up to this id may have been handed (the stored mark): written before a hand-over past it, so a new
    // activation after a crash still knows which batches may be on phones and does not withdraw them.
    private long _handedThrough;
    // Users erased in the last few minutes, and when: a batch whose case collected them before the erasure may reach this
    // hub after it (its commit, its hand-over or the sweep came later) and must not push them. Only for a few minutes: a
    // user who comes back under the same id is alerted again like anyone else.
    private readonly Dictionary<long, DateTimeOffset> _erasedUsers = new();
    // Connections a newer one replaced under the same name, while that name's link lives: two processes started with one
    // name would otherwise take the name from each other at every renewal, each time receiving the other's unacknowledged
    // batches again and pushing them to phones twice.
    private readonly Dictionary<string, List<IPushGateway>> _replaced = new();
    // Connections that left (Unsubscribe), the most recent few: a subscription from one sent before it left but held up on
    // its way (a sign-in, a reconnection) would subscribe a closed gateway again and hand it batches nobody delivers.
    private readonly List<IPushGateway> _left = [];
    private const int LeftKept = 64;
    private int _nextGateway;
    private long _acknowledged;
    private long _resent;
    // Made at the first one (a field initializer may not use the constructor's parameters the methods capture).
    private ForeignAcknowledgements? _foreignAcknowledgements;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ReadableStorageErrors.DuringActivation(async () =>
        {
            foreach (var batch in await store.LoadOutboxAsync()) _pending[batch.BatchId] = batch;
            // An earlier activation may have handed these (it died before their acknowledgement): they may be on phones.
            _handedThrough = await store.LoadHandedThroughAsync();
            foreach (var id in _pending.Keys.Where(id => id <= _handedThrough)) _handed[id] = null;
        }, "loading the outbox", this.GetGrainId());
        var check = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, Math.Min(_options.AckTimeout.Ticks / 2, TimeSpan.TicksPerSecond)));
        this.RegisterGrainTimer(_ => CheckAsync(), check, check);
        this.RegisterGrainTimer(_ => SweepOutboxAsync(), _options.OutboxSweepInterval, _options.OutboxSweepInterval);
        logger.LogInformation("Push hub started with {Pending} batches waiting", _pending.Count);
    }

    public Task<TimeSpan> Subscribe(string gatewayName, IPushGateway gateway) => Subscribe(gatewayName, gateway, int.MaxValue);

    public async Task<TimeSpan> Subscribe(string gatewayName, IPushGateway gateway, int maxInFlight)
    {
        if (string.IsNullOrWhiteSpace(gatewayName)) throw new ArgumentException("gatewayName is empty", nameof(gatewayName));
        if (gateway is null) throw new ArgumentException("gateway is missing", nameof(gateway));
        if (maxInFlight < 0) throw new ArgumentException($"maxInFlight is {maxInFlight}: a gateway takes at least 1 batch at a time, or 0 while it drains", nameof(maxInFlight));
        var leaseEnds = time.GetUtcNow() + _options.GatewayLease;
        var room = Math.Min(maxInFlight, _options.MaxBatchesInFlightPerGateway);
        var existing = _gateways.FindIndex(g => g.Name == gatewayName);
        if (existing >= 0 && _gateways[existing].Gateway.Equals(gateway))
        {
            // A renewal from the same connection keeps its batches in flight (room 0: a closing gateway draining its
            // deliveries, handed nothing new).
            var held = _gateways[existing];
            held.LeaseEnds = leaseEnds;
            // Draining is for good: a renewal with room sent before the draining one but held up on its way must not
            // hand the closing gateway new batches, which it no longer takes.
            if (room == 0) held.Draining = true;
            if (held.Draining) room = 0;
            var grown = room > held.Room;
            held.Room = room;
            if (grown) await PumpAsync();
            return _options.GatewayLease;
        }

        // A closing gateway's renewal from a connection that holds no name takes nothing over and is not added: no lease
        // (zero) tells it nothing was renewed.
        if (room == 0) return TimeSpan.Zero;

        if (_left.Contains(gateway))
        {
            logger.LogWarning("A subscription of gateway {Gateway} came from a connection that had left; refused", gatewayName);
            throw new WrongStateException($"this connection of gateway \"{gatewayName}\" has left the hub (Unsubscribe): subscribe on a new connection");
        }

        if (existing >= 0 && _replaced.TryGetValue(gatewayName, out var replaced) && replaced.Contains(gateway))
        {
            logger.LogWarning("Gateway name {Gateway} is used by two live connections; the one it replaced is refused until the other stops renewing", gatewayName);
            throw new WrongStateException($"gateway name \"{gatewayName}\" is held by another live connection: give each gateway process a name of its own; this one may subscribe again once the other has stopped renewing its lease");
        }

        // A gateway that subscribes with a new reference (it reconnected, or restarted) gets its unacknowledged batches
        // again, on the new connection: it may have delivered them (its acknowledgements lost with the old one) and drops
        // repeats. They stay its own (another gateway would push them twice) and go out as its new room allows (the pump).
        var link = new Link(gatewayName, gateway) { LeaseEnds = leaseEnds, Room = room };
        if (existing >= 0)
        {
            var earlier = _gateways[existing];
            Remember(gatewayName, earlier.Gateway);
            link.InFlight = earlier.InFlight;
            var held = _inFlight.Where(f => f.Value.Gateway == gatewayName).Select(f => f.Key).ToList();
            // A draining connection is alive and still delivering what it was sent (a restarted gateway's predecessor
            // closing): sent to the new one now, those users would get them twice. They wait for its acknowledgements,
            // and go to the new one when it leaves or, unacknowledged, after their ack timeout.
            link.DrainingElsewhere.UnionWith(earlier.Draining ? held.Where(id => !earlier.Owed.Contains(id)) : held.Where(earlier.DrainingElsewhere.Contains));
            link.Owed.UnionWith(held.Where(id => !link.DrainingElsewhere.Contains(id)));
            _gateways[existing] = link;
        }
        else
        {
            _gateways.Add(link);
        }

        await PumpAsync();
        return _options.GatewayLease;
    }

    public async Task Unsubscribe(string gatewayName, IPushGateway gateway)
    {
        if (string.IsNullOrWhiteSpace(gatewayName)) throw new ArgumentException("gatewayName is empty", nameof(gatewayName));
        if (gateway is null) throw new ArgumentException("gateway is missing", nameof(gateway));
        if (!_left.Contains(gateway))
        {
            if (_left.Count == LeftKept) _left.RemoveAt(0);
            _left.Add(gateway);
        }

        var index = _gateways.FindIndex(g => g.Name == gatewayName && g.Gateway.Equals(gateway));
        if (index < 0)
        {
            // A draining connection the name's holder replaced has finished: what it did not acknowledge goes to the holder now.
            var holder = _gateways.Find(g => g.Name == gatewayName);
            if (holder is null || holder.DrainingElsewhere.Count == 0 || !_replaced.TryGetValue(gatewayName, out var replaced) || !replaced.Contains(gateway)) return;
            holder.Owed.UnionWith(holder.DrainingElsewhere);
            holder.DrainingElsewhere.Clear();
            await PumpAsync();
            return;
        }

        logger.LogInformation("Gateway {Gateway} left with {Batches} batches unacknowledged; they go to the others", gatewayName, _gateways[index].InFlight);
        Drop(index);
        await PumpAsync();
    }

    public async Task Acknowledge(List<long> batchIds)
    {
        if (batchIds is null) throw new ArgumentException("batchIds is missing", nameof(batchIds));
        var done = new List<long>();
        // Acknowledged before: the delete of its row may have failed (the gateway retries a failed acknowledgement),
        // and a row left behind would be pushed again by the next activation after a restart.
        var again = new List<long>();
        // A gateway's credential acknowledges only what was handed to its own names: another credential could otherwise
        // have the hub drop batches it never delivered (the ids are a sequence, easily guessed). Inside the silo, any: a
        // caller without the gateway role here is the silo's own code, whatever caller its call chain began with.
        var caller = Caller.Roles.Contains(Roles.Gateway) ? Caller.Name : null;
        var foreign = 0;
        foreach (var id in batchIds.Distinct())
        {
            if (caller is not null && !MayAcknowledge(caller, id))
            {
                foreign++;
            }
            else if (_inFlight.Remove(id, out var sent))
            {
                _gateways.Find(g => g.Name == sent.Gateway)?.Release(id);
                done.Add(id);
            }
            else if (_pending.Remove(id))
            {
                done.Add(id);
            }
            else if (_acknowledgedIds.Contains(id))
            {
                again.Add(id);
            }
        }

        // Throttled: a gateway that keeps acknowledging what is not its own would otherwise flood the silo's log.
        if (foreign > 0) (_foreignAcknowledgements ??= new ForeignAcknowledgements(time, logger)).Occurred(caller!, foreign);
        _acknowledged += done.Count;
        foreach (var id in done)
        {
            _acknowledgedIds.Add(id);
            _notTo.Remove(id);
            _handed.Remove(id);
        }

        List<long> deleting = [.. done, .. again];
        try
        {
            await store.DeleteOutboxAsync(deleting);
        }
        catch
        {
            _undeleted.UnionWith(deleting);
            throw;
        }

        _undeleted.ExceptWith(deleting);
        await PumpAsync();
    }

    // In flight to, or last handed to, one of the credential's gateway names; or acknowledged already (deleting its row
    // again is harmless), or unknown here (nothing happens to it). A batch an earlier activation may have handed out and
    // this one has not handed to anyone has no holder on record (only the durable mark survives a restart): any gateway
    // credential may acknowledge it, or the gateway that delivered it before the restart could not, and the batch would
    // be pushed a second time. A rogue gateway credential could drop such a batch undelivered, as it can any batch it is
    // handed; once this activation hands the batch out, only its holder's credential may.
    private bool MayAcknowledge(string credential, long batchId)
    {
        if (_inFlight.TryGetValue(batchId, out var sent)) return GatewayNames.IsOwnedBy(sent.Gateway, credential);
        if (_pending.ContainsKey(batchId)) return _handed.TryGetValue(batchId, out var holder) && (holder is null || GatewayNames.IsOwnedBy(holder, credential));
        return true;
    }

    private async Task DeleteUndeletedAsync()
    {
        var now = time.GetUtcNow();
        if (_undeleted.Count == 0 || now < _deleteRetryAt) return;
        try
        {
            var deleting = _undeleted.ToList();
            await store.DeleteOutboxAsync(deleting);
            _undeleted.ExceptWith(deleting);
            _deleteRetry = FirstDeleteRetry;
        }
        catch (Exception e)
        {
            _deleteRetryAt = now + _deleteRetry;
            logger.LogError(e, "Deleting {Count} acknowledged batches from the outbox failed again; trying again in {Seconds} s", _undeleted.Count, _deleteRetry.TotalSeconds);
            _deleteRetry = TimeSpan.FromTicks(Math.Min(_deleteRetry.Ticks * 2, _options.OutboxSweepInterval.Ticks));
        }
    }

    public async Task Enqueue(List<PushBatch> batches)
    {
        // The sweep may have found a batch first (this call waited in the queue): one on its way to a gateway,
        // or already acknowledged, is not queued twice.
        foreach (var batch in batches.Where(b => !_inFlight.ContainsKey(b.BatchId) && !_acknowledgedIds.Contains(b.BatchId)))
        {
            if (await WithoutErasedAsync(batch) is { } kept) _pending[batch.BatchId] = kept;
        }

        await PumpAsync();
    }

    /// <summary>How long an erased user is kept out of batches that arrive after the erasure.</summary>
    public static readonly TimeSpan ErasedUsersKeptOut = TimeSpan.FromMinutes(5);

    // The batch less the users erased lately, its row rewritten to match; null when none is left.
    private async Task<PushBatch?> WithoutErasedAsync(PushBatch batch)
    {
        ForgetOldErasures();
        if (_erasedUsers.Count == 0 || !batch.UserIds.Exists(_erasedUsers.ContainsKey)) return batch;
        var rest = batch.UserIds.Where(u => !_erasedUsers.ContainsKey(u)).ToList();
        await store.RewriteOutboxBatchAsync(batch.BatchId, rest);
        return rest.Count == 0 ? null : batch with { UserIds = rest };
    }

    // Batches are durable before they are handed over, but the hand-over can fail (the case's silo died
    // between its commit and Enqueue, or this grain's silo did): whatever the outbox holds that this hub
    // does not know is taken from the table. Only batches older than a sweep interval: a younger one is most
    // likely in the queue on its way here, and taking it twice would push it twice.
    private async Task SweepOutboxAsync()
    {
        try
        {
            var stored = await UnacknowledgedAsync(await store.LoadOutboxIdsAsync(time.GetUtcNow() - _options.OutboxSweepInterval));
            var unknown = stored.Where(id => !_pending.ContainsKey(id) && !_inFlight.ContainsKey(id)).ToList();
            if (unknown.Count == 0) return;
            foreach (var batch in await store.LoadOutboxAsync(unknown))
            {
                if (await WithoutErasedAsync(batch) is { } kept) _pending[batch.BatchId] = kept;
            }

            logger.LogWarning("Found {Count} batches in the outbox that were never handed to the hub; sending them", unknown.Count);
            await PumpAsync();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Sweeping the outbox failed; the next sweep tries again");
        }
    }

    public async Task<int> Withdraw(string caseId)
    {
        if (string.IsNullOrEmpty(caseId)) throw new ArgumentException("caseId is empty", nameof(caseId));
        // A batch ever handed to a gateway may already be on phones: it stays, and its users get the correction. The
        // table is read too: a batch whose hand-over failed is there before the sweep brings it here.
        // A batch acknowledged but still stored reached phones: its users stay recipients (they get the correction).
        var stored = await UnacknowledgedAsync(await store.LoadCaseBatchIdsAsync(caseId));
        var withdrawn = await store.LoadOutboxAsync(stored.Where(id => !_handed.ContainsKey(id)).ToList());
        var alerted = await store.WithdrawAsync(caseId, withdrawn);
        foreach (var batch in withdrawn)
        {
            _pending.Remove(batch.BatchId);
            _notTo.Remove(batch.BatchId);
        }

        logger.LogInformation("Case {Case}: {Batches} batches no gateway had taken withdrawn ({Users} users not alerted)", caseId, withdrawn.Count, alerted);
        return alerted;
    }

    // Stored batch ids less those acknowledged, whose rows are still there only because their delete failed: deleted now.
    private async Task<List<long>> UnacknowledgedAsync(List<long> stored)
    {
        var acknowledged = stored.Where(_acknowledgedIds.Contains).ToList();
        if (acknowledged.Count > 0) await store.DeleteOutboxAsync(acknowledged);
        return stored.Where(id => !_acknowledgedIds.Contains(id)).ToList();
    }

    private void ForgetOldErasures()
    {
        if (_erasedUsers.Count == 0) return;
        var before = time.GetUtcNow() - ErasedUsersKeptOut;
        foreach (var (user, _) in _erasedUsers.Where(e => e.Value < before).ToList()) _erasedUsers.Remove(user);
    }

    public async Task EraseUser(long userId)
    {
        ForgetOldErasures();
        _erasedUsers[userId] = time.GetUtcNow();
        foreach (var batch in _pending.Values.Where(b => b.UserIds.Contains(userId)).ToList())
        {
            var rest = batch.UserIds.Where(u => u != userId).ToList();
            await store.RewriteOutboxBatchAsync(batch.BatchId, rest);
            if (rest.Count == 0)
            {
                _pending.Remove(batch.BatchId);
                _notTo.Remove(batch.BatchId);
                _handed.Remove(batch.BatchId);
            }
            else _pending[batch.BatchId] = batch with { UserIds = rest };
        }

        foreach (var (id, sent) in _inFlight.Where(f => f.Value.Batch.UserIds.Contains(userId)).ToList())
        {
            var rest = sent.Batch.UserIds.Where(u => u != userId).ToList();
            await store.RewriteOutboxBatchAsync(id, rest);
            if (rest.Count > 0)
            {
                _inFlight[id] = sent with { Batch = sent.Batch with { UserIds = rest } };
                continue;
            }

            // Nobody left to push it to: no resend, and the gateway's room is free again.
            _inFlight.Remove(id);
            _handed.Remove(id);
            _gateways.Find(g => g.Name == sent.Gateway)?.Release(id);
        }

        // Rows this hub does not hold: a batch whose hand-over is still on its way here, or one the sweep has not found
        // (those it holds were rewritten above, and their users are not read again).
        foreach (var (batchId, userIds) in await store.LoadBatchesMentioningAsync(userId, [.. _pending.Keys, .. _inFlight.Keys]))
        {
            if (_pending.ContainsKey(batchId) || _inFlight.ContainsKey(batchId)) continue;
            await store.RewriteOutboxBatchAsync(batchId, userIds.Where(u => u != userId).ToList());
        }

        await PumpAsync();
    }

    public Task<PushHubStats> GetStats() =>
        Task.FromResult(new PushHubStats(_pending.Count, _inFlight.Count, _acknowledged, _resent, _gateways.Count));

    public Task<CaseDelivery> GetCaseDelivery(string caseId)
    {
        if (string.IsNullOrEmpty(caseId)) throw new ArgumentException("caseId is empty", nameof(caseId));
        var waiting = _pending.Values.Where(b => b.CaseId == caseId).ToList();
        var inFlight = _inFlight.Values.Where(f => f.Batch.CaseId == caseId).ToList();
        return Task.FromResult(new CaseDelivery(caseId, waiting.Count, waiting.Sum(b => (long)b.UserIds.Count), inFlight.Count, inFlight.Sum(f => (long)f.Batch.UserIds.Count)));
    }

    private async Task CheckAsync()
    {
        var now = time.GetUtcNow();
        for (var i = _gateways.Count - 1; i >= 0; i--)
        {
            if (_gateways[i].LeaseEnds > now) continue;
            logger.LogWarning("Gateway {Gateway} did not renew its subscription; its batches go to the others", _gateways[i].Name);
            Drop(i);
        }

        // A batch owed to a new connection has not been sent on it yet: its time starts when it is.
        var expired = _inFlight.Where(f => f.Value.SentAt <= now - _options.AckTimeout && !IsOwed(f.Key, f.Value.Gateway)).ToList();
        // A batch its gateway has not acknowledged through its resends (its delivery hangs or keeps failing while the
        // gateway renews) goes to another gateway rather than wait on this one for ever; its other batches stay with it.
        // So does one still owed as long after it was last sent: a gateway whose room its hung deliveries hold would
        // otherwise keep its owed batches one such wait after another.
        var givenUp = expired.Where(f => f.Value.Resends >= ResendsToHolder)
            .Concat(_inFlight.Where(f => f.Value.SentAt <= now - _options.AckTimeout * (ResendsToHolder + 1) && IsOwed(f.Key, f.Value.Gateway)))
            .ToList();
        foreach (var (id, sent) in givenUp) GiveUp(id, sent);

        await ResendAsync(expired.Where(f => f.Value.Resends < ResendsToHolder).Select(f => f.Key).ToList());
        await PumpAsync();
        // Last: the lease checks and resends above must not wait on a database that is away.
        await DeleteUndeletedAsync();
    }

    // The batches again to the gateways holding them; a gateway that refuses one is gone, and its batches go to the others.
    // Resends on a new connection count too: a gateway that keeps reconnecting must not hold a batch for ever.
    private async Task ResendAsync(List<long> batchIds)
    {
        foreach (var id in batchIds)
        {
            // A delivery refused earlier in this loop dropped its gateway and moved its batches out of flight.
            if (_inFlight.TryGetValue(id, out var sent)) await SendAgainAsync(_gateways.Find(g => g.Name == sent.Gateway)!, id, sent);
        }
    }

    // A batch in flight once more to the gateway holding it, counted as a resend; false when the gateway refused it and
    // was dropped (its batches are back in the queue).
    private async Task<bool> SendAgainAsync(Link link, long id, (PushBatch Batch, string Gateway, DateTimeOffset SentAt, int Resends) sent)
    {
        try
        {
            await link.Gateway.Deliver(sent.Batch);
            // Past its ack timeout, a batch the replaced draining connection held is this connection's to deliver now.
            link.DrainingElsewhere.Remove(id);
            // An acknowledgement may have come while this delivery was under way.
            if (_inFlight.ContainsKey(id)) _inFlight[id] = sent with { SentAt = time.GetUtcNow(), Resends = sent.Resends + 1 };
            _resent++;
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Gateway {Gateway} is gone; its batches go to the others", link.Name);
            var index = _gateways.IndexOf(link);
            if (index >= 0) Drop(index);
            return false;
        }
    }

    // A batch its gateway kept unacknowledged too long goes back in the queue for another gateway.
    private void GiveUp(long id, (PushBatch Batch, string Gateway, DateTimeOffset SentAt, int Resends) sent)
    {
        logger.LogWarning("Gateway {Gateway} has not acknowledged batch {Batch} through {Resends} resends; it goes to another gateway", sent.Gateway, id, sent.Resends);
        _inFlight.Remove(id);
        _gateways.Find(g => g.Name == sent.Gateway)!.Release(id);
        _pending[id] = sent.Batch;
        _notTo[id] = sent.Gateway;
    }

    private bool IsOwed(long batchId, string gatewayName) => _gateways.Find(g => g.Name == gatewayName)?.Owed.Contains(batchId) == true;

    // What a new connection is owed from its name's earlier one, oldest first, as far as its room allows; each sending
    // counts as a resend. False when the gateway refused one and was dropped (its batches are back in the queue).
    private async Task<bool> SendOwedAsync(Link link)
    {
        while (link.Owed.Count > 0 && link.InFlight - link.Owed.Count < link.Room)
        {
            var id = link.Owed.Min;
            link.Owed.Remove(id);
            var sent = _inFlight[id];
            // A gateway that keeps reconnecting (a batch that crashes it, say) would otherwise be sent it again each
            // time, never holding it an ack timeout: through its resends, it goes to another gateway.
            if (sent.Resends >= ResendsToHolder) GiveUp(id, sent);
            else if (!await SendAgainAsync(link, id, sent)) return false;
        }

        return true;
    }

    private async Task PumpAsync()
    {
        // Again after a gateway is dropped: its batches, back in the queue, come before the rest of this walk.
        while (await PumpOnceAsync())
        {
        }
    }

    // In outbox order; a batch that only the gateway that failed it has room for waits, and the next one may go. At most
    // the free room plus those batches are looked at. True when a gateway was dropped on the way.
    private async Task<bool> PumpOnceAsync()
    {
        // What gateways are owed comes before new batches: it holds their room.
        foreach (var owing in _gateways.Where(g => g.Owed.Count > 0).ToList())
            if (!await SendOwedAsync(owing)) return true;

        var room = _gateways.Sum(g => Math.Max(0, g.Room - g.InFlight));
        foreach (var batch in _pending.Values.Take(room + _notTo.Count).ToList())
        {
            if (!_gateways.Exists(g => g.HasRoom)) return false;
            var link = NextGatewayWithRoom(_notTo.GetValueOrDefault(batch.BatchId));
            if (link is null || !_pending.ContainsKey(batch.BatchId)) continue;
            if (!await MarkHandedThroughAsync(batch.BatchId)) return false;
            _pending.Remove(batch.BatchId);
            try
            {
                // Counted as handed before the call: a delivery that fails may still have reached the gateway.
                _handed[batch.BatchId] = link.Name;
                await link.Gateway.Deliver(batch);
                _inFlight[batch.BatchId] = (batch, link.Name, time.GetUtcNow(), 0);
                _notTo.Remove(batch.BatchId);
                link.InFlight++;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Gateway {Gateway} is gone; its batches go to the others", link.Name);
                _pending[batch.BatchId] = batch;
                Drop(_gateways.IndexOf(link));
                return true;
            }
        }

        return false;
    }

    // Before a batch past the durable mark goes out, the mark moves ahead of it (reserving the next ids too, so the write
    // is one per HandedMarkAhead hand-overs). False when it cannot be written: nothing goes out until it can (the next
    // check pumps again), since a batch handed without it could be withdrawn after a crash while on phones.
    private async Task<bool> MarkHandedThroughAsync(long batchId)
    {
        if (batchId <= _handedThrough) return true;
        try
        {
            await store.SaveHandedThroughAsync(batchId + HandedMarkAhead);
            _handedThrough = batchId + HandedMarkAhead;
            return true;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Recording which batches may be handed out failed; delivery waits for the next check");
            return false;
        }
    }

    // Round-robin over the gateways with room; not the one named unless it is the only gateway.
    private Link? NextGatewayWithRoom(string? notTo)
    {
        for (var tried = 0; tried < _gateways.Count; tried++)
        {
            var link = _gateways[_nextGateway++ % _gateways.Count];
            if (link.HasRoom && (link.Name != notTo || _gateways.Count == 1)) return link;
        }

        return null;
    }

    private void Remember(string gatewayName, IPushGateway replaced)
    {
        if (!_replaced.TryGetValue(gatewayName, out var list)) _replaced[gatewayName] = list = [];
        // A handful is enough to tell a second process from the first; a name reconnecting often must not grow it.
        if (list.Count == 8) list.RemoveAt(0);
        list.Add(replaced);
    }

    private void Drop(int index)
    {
        var link = _gateways[index];
        _gateways.RemoveAt(index);
        // The name is free again: any connection may take it, the ones it had replaced included.
        _replaced.Remove(link.Name);
        foreach (var (id, sent) in _inFlight.Where(f => f.Value.Gateway == link.Name).ToList())
        {
            _inFlight.Remove(id);
            _pending[id] = sent.Batch;
            _resent++;
        }
    }

    private sealed class Link(string name, IPushGateway gateway)
    {
        public string Name { get; } = name;

        public IPushGateway Gateway { get; } = gateway;

        public int InFlight { get; set; }

        // Most unacknowledged batches this gateway is handed: the hub's limit, or the gateway's own if lower.
        public int Room { get; set; }

        // It renewed with no room: a closing gateway, never handed anything new again.
        public bool Draining { get; set; }

        // Its unacknowledged batches that a draining connection it replaced under its name is still delivering: sent on
        // this one once that one leaves, or after their ack timeout.
        public SortedSet<long> DrainingElsewhere { get; } = [];

        // Room for a new batch: what it is owed (below) counts against it.
        public bool HasRoom => InFlight < Room;

        // Its unacknowledged batches that an earlier connection under its name held and this one has not been sent yet.
        public SortedSet<long> Owed { get; } = [];

        // A batch of its is acknowledged, or has nobody left to push it to.
        public void Release(long batchId)
        {
            InFlight--;
            Owed.Remove(batchId);
            DrainingElsewhere.Remove(batchId);
        }

        public DateTimeOffset LeaseEnds { get; set; }
    }
}
