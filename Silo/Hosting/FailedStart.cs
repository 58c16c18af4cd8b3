using Microsoft.Extensions.Hosting;

namespace Alerts.Silo;

/// <summary>
/// Stops a silo host whose start failed part-way (a refused setting, a schema `migrate` has not made), the Orleans stages
/// it reached included. Orleans' own stop refuses a silo that never became active (<c>Silo.StopAsync</c> throws for one
/// still starting), which leaves those stages running: membership, the grain directory's loop over membership updates.
/// A process that exits loses them anyway; one that lives on (a test's in-process silo) had that loop spinning on every
/// core once the host was disposed under it, which slowed a whole CI run past its time limit.
/// </summary>
public sealed class FailedStart : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _becameActive;

    public void Participate(ISiloLifecycle lifecycle) =>
        // Orleans marks the silo running in this stage's start; every observer of a stage is started, so one called here
        // means Orleans' own stop will take the silo down.
        lifecycle.Subscribe(nameof(FailedStart), ServiceLifecycleStage.BecomeActive, _ =>
        {
            _becameActive = true;
            return Task.CompletedTask;
        });

    /// <summary>
    /// Stops what <paramref name="host"/> started, within <paramref name="within"/>, and disposes it; for a silo that never
    /// became active, stops the lifecycle stages its start reached instead of disposing the host (Orleans' silo, disposed
    /// after a stop it did not run itself, waits for ever for that stop to end). Failures on the way are swallowed: the
    /// start's own error is the one to report.
    /// </summary>
    public static async Task StopAsync(IHost host, TimeSpan within)
    {
        using var stopping = new CancellationTokenSource(within);
        try
        {
            await host.StopAsync(stopping.Token);
        }
        catch (Exception)
        {
            // The silo's part refuses for a silo that never became active; the others have stopped.
        }

        try
        {
            if (host.Services.GetRequiredService<FailedStart>()._becameActive)
            {
                if (host is IAsyncDisposable disposable) await disposable.DisposeAsync().AsTask().WaitAsync(within);
                else host.Dispose();
                return;
            }

            // A token of its own: the host's stop may have used up the first. Bounded, as some stages ignore the token.
            using var stages = new CancellationTokenSource(within);
            await host.Services.GetRequiredService<ISiloLifecycleSubject>().OnStop(stages.Token).WaitAsync(within);
            // Not disposed (see above), so what the stages do not stop stays: the store's pooled connections (the tests
            // clear their pools) and Orleans' watchdog threads.
        }
        catch (Exception)
        {
            // Each stage's failure is logged by Orleans; nothing more can be stopped.
        }
    }
}
