using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Wakes interrupted cases: when the first silo of a cluster starts (the embedded silo after a restart),
/// and when a silo of the cluster dies (its cases, cells and shards reactivate elsewhere). Only one silo
/// acts on a death — the surviving one with the lowest address — and Resume is harmless when repeated.
/// </summary>
public sealed class CaseRecovery(
    CaseStore store,
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    ILogger<CaseRecovery> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _watching = Task.CompletedTask;

    /// <summary>Raised after each recovery pass with the number of cases resumed (tests wait for it).</summary>
    public event Action<int>? Recovered;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CaseRecovery), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        // The push hub loads the outbox, so batches that waited across the restart go out as soon as a gateway subscribes.
        await grains.GetGrain<IPushHubGrain>(0).GetStats();
        var others = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(localSilo.SiloAddress));
        if (others == 0) await ResumeAllAsync("silo started");
        else logger.LogInformation("Joined a cluster of {Others} active silos; their cases stay where they are", others);
        _watching = WatchMembershipAsync(_stopping.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _watching.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WatchMembershipAsync(CancellationToken cancellationToken)
    {
        var dead = new HashSet<SiloAddress>(membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress));
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                var newlyDead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)).ToList();
                if (newlyDead.Count == 0) continue;
                var firstActive = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).Min(Comparer<SiloAddress>.Create((a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString())));
                if (!localSilo.SiloAddress.Equals(firstActive)) continue;
                await ResumeAllAsync($"silo {string.Join(", ", newlyDead.Select(m => m.SiloAddress))} declared dead");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ResumeAllAsync(string why)
    {
        var resumed = 0;
        try
        {
            // Live cases, and ended ones whose closing message or correction had not gone to everyone yet.
            var cases = (await store.CasesInAsync(CaseStatus.Dispatching, CaseStatus.Active)).Union(await store.CasesWithUnsentNoticesAsync());
            foreach (var caseId in cases)
            {
                try
                {
                    await grains.GetGrain<ICaseDispatchGrain>(caseId).Resume();
                    resumed++;
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Resuming case {Case} failed; it resumes when next called", caseId);
                }
            }

            logger.LogInformation("{Why}: resumed {Count} cases", why, resumed);
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Why}: listing cases to resume failed", why);
        }

        Recovered?.Invoke(resumed);
    }
}
