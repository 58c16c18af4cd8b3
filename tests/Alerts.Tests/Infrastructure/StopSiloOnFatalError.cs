using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary>
/// What a test's in-process silo does on an Orleans fatal error (its cluster declared it dead, as a loaded machine can
/// make happen to one of two silos in a process): it stops, and the test host lives on. Orleans' own handler ends the
/// process, and with it a whole suite run (seen here on 2026-12-01: "I have been told I am dead", run aborted).
/// </summary>
internal sealed class StopSiloOnFatalError(ILogger<StopSiloOnFatalError> logger, IServiceProvider services) : IFatalErrorHandler
{
    private int _stopping;

    public bool IsUnexpected(Exception exception) => exception is not ThreadAbortException;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        logger.LogError(exception, "Fatal error from {Sender}: {Context}; this test silo stops, the test host does not", sender, context);
        Console.Error.WriteLine($"test silo fatal error from {sender}: {context}");
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        var host = services.GetRequiredService<IHost>();
        _ = Task.Run(async () =>
        {
            try
            {
                await host.StopAsync();
            }
            catch (Exception e)
            {
                logger.LogError(e, "Stopping the test silo after its fatal error failed");
            }
        });
    }
}
