using Alerts.GrainInterfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// The gateway's entry point for engagement: checks each event on its own (a bad one is rejected with its field and
/// reason, the rest go on), then hands each case's events to the case's shard of each user, shards and cases in parallel. A stateless worker.
/// </summary>
[StatelessWorker]
public sealed class EngagementGrain(IOptions<EngagementOptions> options, [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, IEngagementGrain
{
    private readonly EngagementOptions _options = options.Value;

    public async Task<EngagementResult> Report(List<EngagementEvent> events)
    {
        if (events is null) throw new ArgumentException("events must be a list of engagement events", nameof(events));
        if (events.Count > _options.MaxEventsPerReport)
            throw new ArgumentException($"events has {events.Count} entries; at most {_options.MaxEventsPerReport} per call", nameof(events));

        var now = time.GetUtcNow();
        var rejections = new List<RejectedEngagement>();
        var byShard = new Dictionary<(string CaseId, int Shard), (List<int> Indices, List<EngagementEvent> Events)>();
        for (var i = 0; i < events.Count; i++)
        {
            var item = events[i];
            if (EngagementEventRules.Check(item, now, _options) is { } problem)
            {
                rejections.Add(new RejectedEngagement(i, item?.UserId ?? 0, problem.Field, problem.Reason, Refused: false));
                continue;
            }

            var key = (item.CaseId, EngagementShards.Of(item.UserId, _options.Shards));
            if (!byShard.TryGetValue(key, out var part)) byShard[key] = part = ([], []);
            part.Indices.Add(i);
            part.Events.Add(item);
        }

        var rejected = rejections.Count;
        var parts = await Task.WhenAll(byShard.Select(async c => (c.Value.Indices, Result: await GrainFactory.GetEngagementShard(c.Key.CaseId, c.Key.Shard).Record(c.Value.Events))));
        int counted = 0, repeated = 0, refused = 0;
        var shares = new List<IssuedShare>();
        foreach (var (indices, result) in parts)
        {
            counted += result.Counted;
            repeated += result.Repeated;
            refused += result.Refused;
            rejections.AddRange(result.Rejections.Select(r => r with { Index = indices[r.Index] }));
            shares.AddRange(result.Shares.Select(s => s with { Index = indices[s.Index] }));
        }

        rejections.Sort((a, b) => a.Index.CompareTo(b.Index));
        shares.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new EngagementResult(counted, repeated, refused, rejected, rejections, shares);
    }
}
