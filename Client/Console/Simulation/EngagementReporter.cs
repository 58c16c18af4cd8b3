using System.Collections.Concurrent;
using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>
/// Collects the simulated devices' engagement events off the delivery path and reports them through
/// <see cref="GatewayConnection.ReportEngagementAsync"/> whenever <see cref="FlushEvents"/> are waiting or
/// <see cref="FlushEvery"/> has passed. Each report holds one case's events of one kind (opens from the push apart from
/// opens through links), so the cluster's counts are this case's and kind's; the tokens of accepted shares bring the
/// people the share reaches (<see cref="DeviceBehaviour.FollowLink"/>) into the next report. A failed report is tried
/// again twice, then counted as failed.
/// </summary>
public sealed class EngagementReporter(DeviceBehaviour behaviour)
{
    /// <summary>This many waiting events are reported without waiting for <see cref="FlushEvery"/>.</summary>
    public const int FlushEvents = 5_000;

    /// <summary>Waiting events are reported at least this often.</summary>
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(500);

    private const int Attempts = 3;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentQueue<(EngagementEvent Event, int Attempt)> _waiting = new();
    private readonly ConcurrentDictionary<string, CaseCounts> _cases = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private int _count;

    /// <summary>Queues events; never waits.</summary>
    public void Add(IEnumerable<EngagementEvent> events)
    {
        foreach (var e in events) Enqueue(e, 0);
    }

    /// <summary>
    /// Reports what waits, at <see cref="FlushEvents"/> or every <see cref="FlushEvery"/>, until <paramref name="stop"/>;
    /// a report under way then finishes first (cancelling it would leave its outcome unknown).
    /// </summary>
    public async Task RunAsync(GatewayConnection gateway, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Tick);
        var last = DateTimeOffset.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var count = Volatile.Read(ref _count);
                if (count == 0 || (count < FlushEvents && DateTimeOffset.UtcNow - last < FlushEvery)) continue;
                last = DateTimeOffset.UtcNow;
                await FlushAsync(gateway, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reports everything still waiting, including what the last shares bring, within <paramref name="timeout"/>; what is left then counts as failed.</summary>
    public async Task DrainAsync(GatewayConnection gateway, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            while (Volatile.Read(ref _count) > 0) await FlushAsync(gateway, limit.Token);
        }
        catch (OperationCanceledException)
        {
        }

        while (_waiting.TryDequeue(out var left))
        {
            Interlocked.Decrement(ref _count);
            Counts(left.Event.CaseId).AddFailed(1);
        }
    }

    /// <summary>The figures so far, by case id.</summary>
    public List<SimulatedEngagement> Snapshot() =>
        _cases.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value.Snapshot(c.Key)).ToList();

    private void Enqueue(EngagementEvent e, int attempt)
    {
        _waiting.Enqueue((e, attempt));
        Interlocked.Increment(ref _count);
    }

    private CaseCounts Counts(string caseId) => _cases.GetOrAdd(caseId, _ => new CaseCounts());

    private async Task FlushAsync(GatewayConnection gateway, CancellationToken cancellationToken)
    {
        await _reporting.WaitAsync(cancellationToken);
        try
        {
            var taken = new List<(EngagementEvent Event, int Attempt)>(Volatile.Read(ref _count));
            while (_waiting.TryDequeue(out var item))
            {
                Interlocked.Decrement(ref _count);
                taken.Add(item);
            }

            // Opens before shares: someone reached through a link shares after opening it.
            var groups = taken.GroupBy(t => (t.Event.CaseId, t.Event.Kind, ThroughLink: t.Event.ShareToken is not null))
                .OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.ThroughLink).ThenBy(g => g.Key.CaseId, StringComparer.Ordinal);
            foreach (var group in groups) await ReportAsync(gateway, group.Key.CaseId, group.Key.Kind, group.Key.ThroughLink, group.ToList(), cancellationToken);
        }
        finally
        {
            _reporting.Release();
        }
    }

    private async Task ReportAsync(GatewayConnection gateway, string caseId, EngagementKind kind, bool throughLink, List<(EngagementEvent Event, int Attempt)> items, CancellationToken cancellationToken)
    {
        var counts = Counts(caseId);
        var events = items.Select(i => i.Event).ToList();
        EngagementResult result;
        try
        {
            result = await gateway.ReportEngagementAsync(events, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of time while draining: whatever the cluster made of these is unknown.
            counts.AddFailed(items.Count);
            return;
        }
        catch (Exception)
        {
            // The cluster is restarting or busy: try again in a later report (repeats count once), then give up.
            foreach (var (item, attempt) in items)
            {
                if (attempt + 1 < Attempts) Enqueue(item, attempt + 1);
                else counts.AddFailed(1);
            }

            return;
        }

        counts.Add(kind, throughLink, result);
        var now = DateTimeOffset.UtcNow;
        foreach (var share in result.Shares)
        {
            counts.AddShareGeneration(share.Generation);
            Add(behaviour.FollowLink(events[share.Index], share, now));
        }
    }

    private sealed class CaseCounts
    {
        private readonly object _gate = new();
        private long _delivered, _openedByPushed, _opensThroughShares, _shared, _sightings, _repeated, _refused, _rejected, _failed;
        private int _maxShareDepth;
        private string? _firstProblem;

        public void Add(EngagementKind kind, bool throughLink, EngagementResult result)
        {
            lock (_gate)
            {
                switch (kind)
                {
                    case EngagementKind.Delivered: _delivered += result.Counted; break;
                    case EngagementKind.Opened when throughLink: _opensThroughShares += result.Counted; break;
                    case EngagementKind.Opened: _openedByPushed += result.Counted; break;
                    case EngagementKind.Shared: _shared += result.Counted; break;
                    case EngagementKind.Sighted: _sightings += result.Counted; break;
                }

                _repeated += result.Repeated;
                _refused += result.Refused;
                _rejected += result.Rejected;
                if (result.Rejections.Count > 0) _firstProblem ??= $"{kind.ToString().ToLowerInvariant()} of user {result.Rejections[0].UserId}: {result.Rejections[0].Field} {result.Rejections[0].Reason}";
            }
        }

        public void AddShareGeneration(int generation)
        {
            lock (_gate) _maxShareDepth = Math.Max(_maxShareDepth, generation);
        }

        public void AddFailed(long count)
        {
            lock (_gate) _failed += count;
        }

        public SimulatedEngagement Snapshot(string caseId)
        {
            lock (_gate)
                return new SimulatedEngagement(caseId, _delivered, _openedByPushed + _opensThroughShares, _openedByPushed, _opensThroughShares, _shared, _sightings,
                    _maxShareDepth, _repeated, _refused, _rejected, _failed, _firstProblem);
        }
    }
}
