using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>
/// A case's engagement as admins read it (key = case id): the figures of its shards added up, with the case's status,
/// recipients and suppressed users; sightings and a sharer's reach straight from the tables. It holds nothing itself.
/// </summary>
public sealed class CaseEngagementGrain(EngagementStore store, IOptions<EngagementOptions> options) : Grain, ICaseEngagementGrain
{
    private const int MaxSightingsListed = 1_000;
    private readonly EngagementOptions _options = options.Value;

    private string CaseId => this.GetPrimaryKeyString();

    public async Task<CaseEngagementStats> GetStats()
    {
        var progress = GrainFactory.GetGrain<ICaseGrain>(CaseId).GetProgress();
        var suppressed = store.CountSuppressedAsync(CaseId);
        var shards = await Task.WhenAll(Enumerable.Range(0, _options.Shards).Select(shard => GrainFactory.GetEngagementShard(CaseId, shard).GetFigures()));
        var (status, pushed) = ((await progress).Status, (await progress).Recipients);
        // Refusals alone do not make a case: events refused for a mistyped case id are stored under it.
        if (status == CaseStatus.None && shards.All(s => s.Delivered + s.Opened + s.Shares + s.Sightings == 0))
            throw new KeyNotFoundException($"no case named {CaseId}");
        return EngagementFigures.Combine(CaseId, status, pushed, await suppressed, shards, _options);
    }

    public async Task<List<Sighting>> ListSightings(int limit)
    {
        if (limit is < 1 or > MaxSightingsListed) throw new ArgumentException($"limit {limit} is invalid: must be within [1, {MaxSightingsListed}]", nameof(limit));
        var sightings = await store.ListSightingsAsync(CaseId, limit);
        // None for a case id mistyped at 3 a.m. must not read as "no sightings".
        if (sightings.Count == 0 && (await GrainFactory.GetGrain<ICaseGrain>(CaseId).GetProgress()).Status == CaseStatus.None)
            throw new KeyNotFoundException($"no case named {CaseId}");
        if (sightings.Count == 0) return sightings;
        // The police read a sighting by how far it is from where the child was last seen.
        var definition = (await GrainFactory.GetGrain<ICaseGrain>(CaseId).GetRecord()).Definition;
        return sightings.Select(s => s with
        {
            DistanceFromLastSeenMeters = Alerts.Geo.GreatCircle.Distance(definition.Latitude, definition.Longitude, s.Details.Latitude, s.Details.Longitude),
        }).ToList();
    }

    public async Task<SharerReach> GetSharerReach(long userId)
    {
        if (userId <= 0) throw new ArgumentException($"userId {userId} is invalid: must be positive", nameof(userId));
        var reach = await store.SharerReachAsync(CaseId, userId);
        // As for sightings: nobody reached through a mistyped case id must not read as "this sharer reached nobody".
        if (reach.Shares == 0 && reach.OpensThroughTheirLinks == 0 && (await GrainFactory.GetGrain<ICaseGrain>(CaseId).GetProgress()).Status == CaseStatus.None)
            throw new KeyNotFoundException($"no case named {CaseId}");
        return reach;
    }
}
