using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary>
/// A flood of refused calls does not flood the silo's log: the first refusal of a client for a reason is logged, its
/// repeats within a minute are counted and the count given with the next warning (the refusal clock is manual).
/// </summary>
public sealed class RefusalLogTests
{
    private const string Refused = "Refused";

    [Fact]
    public async Task A_client_refused_a_hundred_times_is_one_warning_until_a_minute_has_passed_then_one_with_the_count()
    {
        var log = new CapturedLog();
        var time = new ManualTimeProvider(AlertsSilo.Epoch);
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), services: services =>
        {
            services.AddSingleton<ILoggerProvider>(log);
            services.Replace(ServiceDescriptor.Singleton(sp => new RefusalLog(time, sp.GetRequiredService<ILogger<CallAuthorization>>())));
        });
        await using var client = await silo.ConnectClientAsync();
        var credentials = client.GetGrain<IClientCredentialsGrain>(0);

        // The tester (gateway, admin) may not list credentials (operator only): each call is refused before the grain runs.
        for (var i = 0; i < 100; i++) await Assert.ThrowsAsync<AccessDeniedException>(() => credentials.List());
        var first = Assert.Single(log.Warnings(Refused));
        Assert.Contains("may not call alerts.client-credentials.List; needs operator", first);

        // Another reason from the same client is its own first warning.
        await Assert.ThrowsAsync<AccessDeniedException>(() => credentials.Revoke("nobody"));
        Assert.Equal(2, log.Warnings(Refused).Count);

        // A minute on, the next refusal is logged again, with the 99 repeats held back.
        time.Advance(RefusalLog.Window);
        await Assert.ThrowsAsync<AccessDeniedException>(() => credentials.List());
        var warnings = log.Warnings(Refused);
        Assert.True(warnings.Count == 3, string.Join("\n", warnings));
        Assert.Contains("may not call alerts.client-credentials.List", warnings[2]);
        Assert.Contains("99 more such refusals since 2026-11-01T12:00:00.0000000+00:00 were not logged", warnings[2]);
    }

    [Fact]
    public void Repeats_a_client_stopped_making_are_logged_at_the_next_sweep_and_another_client_is_logged_at_once()
    {
        var log = new CapturedLog();
        var time = new ManualTimeProvider(AlertsSilo.Epoch);
        using var loggers = new LoggerFactory([log]);
        var refusals = new RefusalLog(time, loggers.CreateLogger<CallAuthorization>());
        for (var i = 0; i < 5; i++) refusals.Refused("client-a", "no token");
        refusals.Refused("client-b", "no token");
        Assert.Equal(2, log.Warnings(Refused).Count);

        // client-a stopped; another client's refusal a minute later sweeps, and client-a's 4 repeats are said.
        time.Advance(RefusalLog.Window);
        refusals.Refused("client-c", "no token");
        var warnings = log.Warnings(Refused);
        Assert.Contains(warnings, w => w.StartsWith("Refused 4 more calls from client client-a since", StringComparison.Ordinal) && w.EndsWith(": no token", StringComparison.Ordinal));
        Assert.Equal(3, warnings.Count(w => w.StartsWith("Refused a call from client", StringComparison.Ordinal)));
    }
}
