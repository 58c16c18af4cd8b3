namespace Alerts.GrainInterfaces;

/// <summary>The one way to name a case's engagement shard: the case's users are spread over its shards by user id.</summary>
public static class EngagementShards
{
    /// <summary>The shard a user's events of any case go to.</summary>
    public static int Of(long userId, int shards) => (int)(userId % shards);

    /// <summary>The shard grain of a case.</summary>
    public static IEngagementShardGrain GetEngagementShard(this IGrainFactory grains, string caseId, int shard) =>
        grains.GetGrain<IEngagementShardGrain>($"{caseId}/{shard}");

    /// <summary>The case and shard a shard grain stands for.</summary>
    public static (string CaseId, int Shard) ShardOf(this IEngagementShardGrain grain)
    {
        var key = grain.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}
