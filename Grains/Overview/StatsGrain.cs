using Alerts.GrainInterfaces;

namespace Alerts.Grains;

/// <summary>Counts residents, opt-outs and cases in storage, and asks the push hub for its counters.</summary>
[StatelessWorker]
public sealed class StatsGrain(ResidentStore residents, CaseStore cases) : Grain, IStatsGrain
{
    public async Task<SystemStats> Get()
    {
        var counts = residents.CountAsync();
        var byStatus = cases.CountCasesAsync();
        var delivery = GrainFactory.GetGrain<IPushHubGrain>(0).GetStats();
        var (stored, optedOut) = await counts;
        return new SystemStats(stored, optedOut, await byStatus, await delivery);
    }
}
