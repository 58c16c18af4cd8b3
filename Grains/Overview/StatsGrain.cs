using Alerts.GrainInterfaces;
using Microsoft.Extensions.Options;

namespace Alerts.Grains;

/// <summary>Counts residents, opt-outs and cases in storage, and asks the push hub and the directory shards for theirs.</summary>
[StatelessWorker]
public sealed class StatsGrain(ResidentStore residents, CaseStore cases, IOptions<AlertsOptions> options) : Grain, IStatsGrain
{
    public async Task<SystemStats> Get()
    {
        var counts = residents.CountAsync();
        var byStatus = cases.CountCasesAsync();
        var delivery = GrainFactory.GetGrain<IPushHubGrain>(0).GetStats();
        var unsettled = Task.WhenAll(Enumerable.Range(0, options.Value.DirectoryShards)
            .Select(shard => GrainFactory.GetGrain<IUserDirectoryGrain>(shard).GetUnsettled()));
        var (stored, optedOut) = await counts;
        return new SystemStats(stored, optedOut, await byStatus, await delivery, UnsettledResidency.Sum(await unsettled));
    }
}
