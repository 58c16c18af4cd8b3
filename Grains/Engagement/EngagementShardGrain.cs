using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// One shard of a case's engagement (key "case/shard"): the events of the case's users whose id mod the shard count is
/// its number. It holds counters and bounded maps only: who was pushed, who opened, who shared is in the tables, read
/// per report for the users it names, and a report's rows are written in one transaction that skips rows already
/// stored; only rows that went in are counted. An activation rebuilds its counters from its users' rows.
/// </summary>
public sealed class EngagementShardGrain(
    EngagementStore store,
    ShareTokens tokens,
    IOptions<EngagementOptions> options,
    IOptions<AlertsOptions> alertsOptions,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, IEngagementShardGrain
{
    // How far past its time a user's further sighting at that time may be kept (ms): the second the user gave.
    private const int SightingsPerMillisecondSpan = 1_000;

    // The sharer of a grant that credits nobody (a user's own link, or an erased sharer's).
    private const long Unattributed = 0;

    private readonly EngagementOptions _options = options.Value;
    private readonly int _cellPrecision = alertsOptions.Value.CellPrecision;
    private readonly EngagementTally _tally = new(options.Value);

    private string _caseId = "";
    private int _shard;

    private string CaseId => _caseId;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_caseId, _shard) = this.AsReference<IEngagementShardGrain>().ShardOf();
        // A silo with another shard count sends its users here: counted where no reader of the figures looks.
        if (_shard < 0 || _shard >= _options.Shards)
            throw new InvalidOperationException($"engagement shard {_shard} does not exist: Alerts:Engagement:Shards is {_options.Shards} (every silo of a cluster needs the same value)");
        return ReadableStorageErrors.DuringActivation(() => store.LoadAsync(_caseId, _shard, _options.Shards, _tally), "loading the engagement counts", this.GetGrainId());
    }

    public async Task<EngagementResult> Record(List<EngagementEvent> events)
    {
        var now = time.GetUtcNow();
        var rejections = new List<RejectedEngagement>();
        var grants = new ShareGrant?[events.Count];
        var badTokens = new string?[events.Count];
        var refused = new bool[events.Count];
        void Refuse(int index, string field, string reason)
        {
            refused[index] = true;
            rejections.Add(new RejectedEngagement(index, events[index].UserId, field, reason, Refused: true));
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].ShareToken is not { } token) continue;
            // A link's age counts at the event, not the report: a phone offline for a day reports an open it made in time.
            var at = events[i].Time < now ? events[i].Time : now;
            var (grant, failure) = tokens.Check(token, CaseId, now + _options.MaxClockSkew, at - _options.ShareLinkLifetime);
            // A sighting is what the police need most: one from a user the case reached anyway is not lost over the
            // link its app attached (stale, or another case's); it is judged below as if it came without one. So is any
            // event with a genuine link that merely expired: a pushed user's app that keeps attaching it still shares.
            if (failure is not null && (events[i].Kind == EngagementKind.Sighted || failure.StartsWith(ShareTokens.Expired, StringComparison.Ordinal))) badTokens[i] = failure;
            else if (failure is not null) Refuse(i, "shareToken", failure);
            // One's own link brings nobody: it only shows the user was reached one generation before it (0: pushed), by
            // whoever that was, so nobody's sharing is credited with it.
            if (grant is not null && grant.SharerUserId == events[i].UserId)
                grant = grant.Generation > 1 ? grant with { SharerUserId = Unattributed, Generation = grant.Generation - 1 } : null;
            grants[i] = grant;
        }

        // A link outlives its sharer's erasure (it is in chats): opens through it still count, but only a sharer whose
        // shares are still stored is named, or erasure would be undone by the next open.
        var sharers = grants.Where((g, i) => !refused[i] && g is { SharerUserId: > 0 }).Select(g => g!.SharerUserId).Distinct().ToList();
        var stored = await store.StoredSharersAsync(CaseId, sharers);
        for (var i = 0; i < grants.Length; i++)
            if (grants[i] is { SharerUserId: > 0 } g && !stored.Contains(g.SharerUserId)) grants[i] = g with { SharerUserId = Unattributed };

        var standings = await store.LookupAsync(CaseId, events.Where((_, i) => !refused[i]).Select(e => e.UserId).Distinct().ToList());
        var rows = new EngagementRows();
        var repeated = 0;
        var issued = new List<IssuedShare>();
        var delivered = new HashSet<long>();
        var openedNow = new Dictionary<long, int>();
        var shared = new HashSet<(long, ShareChannel)>();
        // Each user's sightings, stored and in this report: another sighting at a time one already has is kept a
        // millisecond later (an app's "seen at" picker gives one time to all a user adds); the same one is a repeat.
        var sightingsOf = await store.StoredSightingsAsync(CaseId, events.Where((e, i) => !refused[i] && e.Kind == EngagementKind.Sighted).Select(e => e.UserId).Distinct().ToList());
        for (var i = 0; i < events.Count; i++)
        {
            if (refused[i]) continue;
            var item = events[i];
            var user = item.UserId;
            var standing = standings[user];
            var grant = grants[i];
            int? openedAt = openedNow.TryGetValue(user, out var generationNow) ? generationNow : standing.OpenedAt;
            var atMs = item.Time.ToUnixTimeMilliseconds();
            switch (item.Kind)
            {
                case EngagementKind.Delivered when !standing.Pushed:
                    Refuse(i, "userId", $"user {user} was not pushed for case {CaseId}: only a push can be delivered");
                    break;
                case EngagementKind.Delivered:
                    if (delivered.Add(user)) rows.Deliveries.Add((i, user, atMs, standing.Cell));
                    else repeated++;
                    break;
                // A user the case reached already opening again is a repeat, however they came back: through an expired
                // link, or from the app's list with no link at all.
                case EngagementKind.Opened when openedAt is not null:
                    repeated++;
                    break;
                case EngagementKind.Opened when grant is null && !standing.Pushed && badTokens[i] is { } expired:
                    Refuse(i, "shareToken", expired);
                    break;
                case EngagementKind.Opened when grant is null && !standing.Pushed:
                    Refuse(i, "userId", $"user {user} was neither pushed for case {CaseId} nor came through a share link (no shareToken)");
                    break;
                case EngagementKind.Opened:
                    openedNow[user] = grant?.Generation ?? 0;
                    rows.Opens.Add((i, user, atMs, standing.Cell, grant?.SharerUserId is > 0 and var sharer ? sharer : null, grant?.Generation ?? 0, standing.Pushed));
                    break;
                case EngagementKind.Shared or EngagementKind.Sighted when grant is null && !standing.Pushed && openedAt is null && badTokens[i] is { } failure:
                    Refuse(i, "shareToken", failure);
                    break;
                case EngagementKind.Shared or EngagementKind.Sighted when grant is null && !standing.Pushed && openedAt is null:
                    Refuse(i, "userId", $"user {user} was neither pushed for case {CaseId} nor opened it through a share link");
                    break;
                case EngagementKind.Shared:
                    // A pushed user shares at generation 1; someone who came through a generation-n link shares at n + 1.
                    var generation = (standing.Pushed ? 0 : openedAt ?? grant!.Generation) + 1;
                    issued.Add(new IssuedShare(i, tokens.Issue(new ShareGrant(CaseId, user, generation, now)), generation));
                    if (shared.Add((user, item.Channel!.Value))) rows.Shares.Add((i, user, item.Channel.Value, atMs, standing.Cell, generation));
                    else repeated++;
                    break;
                case EngagementKind.Sighted:
                    var cell = Geohash.Encode(item.Sighting!.Latitude, item.Sighting.Longitude, _cellPrecision).ToString();
                    if (!sightingsOf.TryGetValue(user, out var known)) sightingsOf[user] = known = [];
                    // A user has a few sightings at most: those are scanned for the same one, not the second's 1,000 times.
                    var again = known.Any(k => k.Key >= atMs && k.Key < atMs + SightingsPerMillisecondSpan && k.Value == item.Sighting);
                    long? free = null;
                    for (var ms = atMs; !again && free is null && ms < atMs + SightingsPerMillisecondSpan; ms++)
                        if (!known.ContainsKey(ms)) free = ms;

                    if (again)
                    {
                        repeated++;
                    }
                    else if (free is not { } seenMs)
                    {
                        Refuse(i, "time", $"user {user} has reported {SightingsPerMillisecondSpan} other sightings seen at {item.Time:O}");
                    }
                    else
                    {
                        known[seenMs] = item.Sighting;
                        rows.Sightings.Add((i, user, seenMs, item.Sighting, cell));
                    }

                    break;
            }
        }

        // A refused event is stored once like any other, so a gateway's resend of a report does not count its refusals again.
        var refusals = new HashSet<(long, EngagementKind, long, string, string)>();
        foreach (var index in rejections.Select(r => r.Index).Distinct())
        {
            var item = events[index];
            var refusal = (item.UserId, item.Kind, item.Time.ToUnixTimeMilliseconds(), item.Kind == EngagementKind.Shared ? item.Channel!.Value.ToString() : "", ShareTokens.Fingerprint(item.ShareToken));
            if (refusals.Add(refusal)) rows.Refusals.Add(refusal);
        }

        if (rows.IsEmpty) return new EngagementResult(0, repeated, rejections.Count, 0, rejections, issued);
        (bool[] Deliveries, bool[] Opens, bool[] Shares, bool[] Sightings, bool[] Refusals) written;
        try
        {
            written = await store.WriteAsync(CaseId, rows, now);
        }
        catch
        {
            // The rows may be in after all (a commit whose answer was lost), and a retry then finds them there and
            // counts them as repeats: the next activation counts from the tables instead.
            DeactivateOnIdle();
            throw;
        }


        // Only rows that went in are counted: the tables, not this activation, decide what is new.
        var counted = 0;
        for (var r = 0; r < rows.Deliveries.Count; r++)
        {
            if (!Tally(written.Deliveries[r], ref counted, ref repeated)) continue;
            var (_, _, at, cell) = rows.Deliveries[r];
            _tally.AddDelivered(cell, Minute(at));
        }

        for (var r = 0; r < rows.Opens.Count; r++)
        {
            if (!Tally(written.Opens[r], ref counted, ref repeated)) continue;
            var (_, _, at, cell, _, generation, pushed) = rows.Opens[r];
            _tally.AddOpened(cell, Minute(at), generation, pushed);
        }

        for (var r = 0; r < rows.Shares.Count; r++)
        {
            if (!Tally(written.Shares[r], ref counted, ref repeated)) continue;
            var (_, _, channel, at, cell, generation) = rows.Shares[r];
            _tally.AddShared(cell, Minute(at), channel, generation);
        }

        for (var r = 0; r < rows.Sightings.Count; r++)
        {
            if (!Tally(written.Sightings[r], ref counted, ref repeated)) continue;
            var (_, _, at, _, cell) = rows.Sightings[r];
            _tally.AddSighted(cell, Minute(at));
        }

        _tally.AddRefused(written.Refusals.Count(inserted => inserted));
        rejections.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new EngagementResult(counted, repeated, rejections.Count, 0, rejections, issued);
    }

    public Task<CaseEngagementStats> GetFigures() => Task.FromResult(_tally.ToStats(CaseId, CaseStatus.None, pushed: 0, suppressed: 0));

    private static bool Tally(bool inserted, ref int counted, ref int repeated)
    {
        if (inserted) counted++;
        else repeated++;
        return inserted;
    }

    // Event times are checked to be recent (after 1970), so division rounds down.
    private static long Minute(long unixMs) => unixMs / 60_000;
}
