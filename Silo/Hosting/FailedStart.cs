using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;

namespace Alerts.Silo;

/// <summary>
/// Stops and disposes a silo host whose start failed part-way (a refused setting, a schema `migrate` has not made), the
/// Orleans stages it reached included. Orleans' own stop refuses a silo that never became active (<c>Silo.StopAsync</c>
/// throws for one still starting), which leaves those stages running: membership, the grain directory's loop over
/// membership updates. A process that exits loses them anyway; one that lives on (a test's in-process silo) had that loop
/// spinning on every core once the host was disposed under it, which slowed a whole CI run past its time limit.
/// </summary>
public sealed class FailedStart : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _siloMade;
    private volatile bool _becameActive;

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Called as Orleans' silo is made: only then is there a silo to stop.
        _siloMade = true;
        // Orleans marks the silo running in this stage's start; every observer of a stage is started, so one called here
        // means Orleans' own stop will take the silo down.
        lifecycle.Subscribe(nameof(FailedStart), ServiceLifecycleStage.BecomeActive, _ =>
        {
            _becameActive = true;
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Stops what <paramref name="host"/> started, within <paramref name="within"/> (for a silo that never became active,
    /// the lifecycle stages its start reached), then disposes it within <paramref name="within"/> again: its store's
    /// pooled connections and files, Orleans' watchdog threads and every other service it made. Failures on the way are
    /// swallowed: the start's own error is the one to report.
    /// </summary>
    public static async Task StopAsync(IHost host, TimeSpan within)
    {
        using (var stopping = new CancellationTokenSource(within))
        {
            try
            {
                await host.StopAsync(stopping.Token);
            }
            catch (Exception)
            {
                // The silo's part refuses for a silo that never became active; the others have stopped.
            }
        }

        var failedStart = host.Services.GetRequiredService<FailedStart>();
        if (failedStart._siloMade && !failedStart._becameActive)
        {
            try
            {
                // A token of its own: the host's stop may have used up the first. Bounded, as some stages ignore the token.
                using var stages = new CancellationTokenSource(within);
                await host.Services.GetRequiredService<ISiloLifecycleSubject>().OnStop(stages.Token).WaitAsync(within);
            }
            catch (Exception)
            {
                // Each stage's failure is logged by Orleans; nothing more can be stopped.
            }

            // Orleans' silo, disposed after a stop it did not run itself, waits for ever for the signal only its own stop
            // gives, and the container disposes none of the services it made after that wait: given here, the stop done.
            try
            {
                SiloTerminated(host.Services.GetRequiredService<Orleans.Runtime.Silo>()).TrySetResult(0);
            }
            catch (MissingFieldException)
            {
                // An Orleans that keeps it elsewhere: not disposed, as a disposal would never end (FailedStartTests fail).
                return;
            }
        }

        try
        {
            if (host is IAsyncDisposable disposable) await disposable.DisposeAsync().AsTask().WaitAsync(within);
            else host.Dispose();
        }
        catch (Exception)
        {
            // A service whose disposal failed or hangs: the rest were disposed before it, or are left to the process.
        }
    }

    // Orleans (10.4) keeps the signal in this private field; FailedStartTests fail if a new version renames it.
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "siloTerminatedTask")]
    private static extern ref TaskCompletionSource<int> SiloTerminated(Orleans.Runtime.Silo silo);
}
