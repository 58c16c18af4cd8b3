using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alerts.Tests;

/// <summary>A test silo's fatal error stops that silo and leaves the test host running.</summary>
public sealed class StopSiloOnFatalErrorTests
{
    [Fact]
    public async Task A_fatal_error_stops_the_test_silo_instead_of_the_process()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var handler = silo.Services.GetRequiredService<IFatalErrorHandler>();
        Assert.IsType<StopSiloOnFatalError>(handler);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => stopped.TrySetResult());

        handler.OnFatalException(this, "a test's fatal error", new InvalidOperationException("declared dead"));
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
