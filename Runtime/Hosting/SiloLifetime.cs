using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alerts.Runtime;

/// <summary>Starts the silo (schema, reminders, idle collection) and on shutdown deactivates every grain so state is flushed.</summary>
public sealed class SiloLifetime(GrainRuntime runtime, SqlGrainStorage storage, ILogger<SiloLifetime> logger) : IHostedService
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loops = Task.CompletedTask;

    /// <summary>Completes once the schema exists and reminders are loaded.</summary>
    public Task Started => _started.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureSchemaAsync();
        await runtime.Reminders.LoadAsync();
        logger.LogInformation("Silo started on {Provider} with {Reminders} reminders", storage.Dialect.Name, runtime.Reminders.Count);
        _loops = Task.WhenAll(
            RunPeriodically(runtime.Options.CollectionInterval, () => runtime.CollectIdleAsync()),
            RunPeriodically(runtime.Options.ReminderPollInterval, () => runtime.Reminders.FireDueAsync()));
        _started.TrySetResult();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _loops;
        await runtime.DeactivateAllAsync();
        logger.LogInformation("Silo stopped: every activation deactivated");
    }

    private async Task RunPeriodically(TimeSpan period, Func<Task> work)
    {
        using var timer = new PeriodicTimer(period, runtime.Time);
        try
        {
            do
            {
                try
                {
                    await work();
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Silo background work failed");
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
