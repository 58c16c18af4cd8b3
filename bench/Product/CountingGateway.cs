using Alerts.GrainInterfaces;
using Orleans;

namespace Alerts.Bench.Product;

/// <summary>
/// A gateway for dispatch benchmarks: acknowledges every batch and completes when the expected number of users
/// arrived (a resent batch counts once).
/// </summary>
public sealed class CountingGateway(IClusterClient client, int expected) : IPushGateway
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<long> _seen = [];
    private long _received;

    /// <summary>Completes once every expected user was delivered.</summary>
    public Task AllReceived => _all.Task;

    public async Task Deliver(PushBatch batch)
    {
        bool first;
        lock (_seen) first = _seen.Add(batch.BatchId);
        if (first && Interlocked.Add(ref _received, batch.UserIds.Count) >= expected) _all.TrySetResult();
        await client.GetGrain<IPushHubGrain>(0).Acknowledge([batch.BatchId]);
    }
}
