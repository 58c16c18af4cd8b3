using System.Threading.Channels;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary><see cref="PushSubscription"/> against a real embedded silo process: when it renews, and what a failure leaves.</summary>
public sealed class PushSubscriptionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_renewal_failed_handler_that_throws_does_not_stop_the_renewals()
    {
        var silo = GatewaySilo.Fresh();
        silo.Settings["Alerts:Security:Clients:2:Name"] = "ops";
        silo.Settings["Alerts:Security:Clients:2:SecretHash"] = ProcessSettings.TesterHash;
        silo.Settings["Alerts:Security:Clients:2:Roles:0"] = Roles.Operator;
        await using var process = await silo.StartAsync();
        await using var ops = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort, $"ops:{ProcessSettings.Secret}");
        var credentials = ops.GetGrain<IClientCredentialsGrain>(0);
        var issued = await credentials.Create("gw-renewing", [Roles.Gateway]);
        await using var client = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort, issued.Credential);
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, "gw-renewing", new RemoteGateway(client.Cluster));
        var failures = 0;
        var second = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.RenewalFailed += e =>
        {
            if (Interlocked.Increment(ref failures) == 1) throw new InvalidOperationException("a faulty handler");
            second.TrySetResult(e);
        };

        // Revoked, the credential's token is refused from the silo's next call on: every renewal (every second
        // under the tests' 3 s lease) fails, deterministically, while the silo stays up.
        await credentials.Revoke("gw-renewing");
        var failure = await second.Task.WaitAsync(Patience);

        // The first renewal is refused for its token ("credential gw-renewing was revoked"); the client then drops it, so
        // later renewals fail at the new sign-in, refused as for a wrong secret (sign-in never says a name was revoked).
        var refused = Assert.IsAssignableFrom<AccessDeniedException>(failure);
        Assert.True(refused.Message.Contains("credential gw-renewing was revoked", StringComparison.Ordinal) || refused.Message.Contains("unknown client name or wrong secret", StringComparison.Ordinal), refused.Message);
    }

    [Fact]
    public async Task After_a_restart_grants_a_shorter_lease_the_renewals_come_at_a_third_of_it()
    {
        var silo = GatewaySilo.Fresh();
        silo.Settings["Alerts:GatewayLease"] = "00:30:00";
        var process = await silo.StartAsync();
        try
        {
            await using var client = await silo.AdminAsync();
            var clock = new WatchedClock();
            await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-shortened"), new RemoteGateway(client.Cluster), clock);
            Assert.Equal(TimeSpan.FromMinutes(10), await clock.NextTimerAsync());

            // A rolling restart shortens the lease: the hub comes back on a silo granting 3 s.
            await process.TerminateAsync();
            await process.DisposeAsync();
            silo.Settings["Alerts:GatewayLease"] = "00:00:03";
            process = await silo.StartAsync();
            await Transient.RetryAsync(() => client.GetGrain<IPushHubGrain>(0).GetStats());

            // The renewal subscribes at the new hub and is granted 3 s: the next comes a second later, not 10 minutes
            // (by when the hub would long have let the gateway go), and so on.
            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
        }
        finally
        {
            await process.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_renewal_that_took_longer_than_a_third_of_the_lease_is_followed_at_once()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var calls = new SubscribeCalls();
        await using var client = await AlertsClient.ConnectAsync(silo.Gateway().Cluster, configure: builder => builder.AddOutgoingGrainCallFilter(calls));
        var clock = new WatchedClock();
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-slow"), new RemoteGateway(client.Cluster), clock);
        // The tests' lease is 3 s: a renewal every second.
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());

        // The next renewal waits 2 s in the client (as a call waits out its timeout while the hub's silo is gone).
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = calls.HoldNext(release.Task);
        clock.Advance(TimeSpan.FromSeconds(1));
        await held.WaitAsync(Patience);
        clock.Advance(TimeSpan.FromSeconds(2));
        release.SetResult();

        // Sent a third of the lease after that one was sent, the next goes at once (a third of a lease after the slow
        // one's answer, the lease would have lapsed before it), and the one after a second later.
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
        Assert.Equal(3, calls.Gateways.Count);
    }

    [Fact]
    public async Task A_refused_first_subscription_leaves_no_observer_reference_behind_and_a_retry_starts_afresh()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var calls = new SubscribeCalls();
        await using var client = await AlertsClient.ConnectAsync(silo.Gateway().Cluster, configure: builder => builder.AddOutgoingGrainCallFilter(calls));
        var gateway = new RemoteGateway(client.Cluster);

        // The hub refuses the subscription (a name the credential does not own); its refusal comes as it is.
        var refusal = await Assert.ThrowsAsync<AccessDeniedException>(() => PushSubscription.StartAsync(client.Cluster, "not-tester", gateway));
        Assert.Contains("gatewayName \"not-tester\" is not credential tester's", refusal.Message);
        var refused = Assert.Single(calls.Gateways);

        // The observer reference made for it is dropped already: the client holds nothing for it (Orleans refuses to drop
        // it again). Before, it stayed registered for as long as the client lived, one more for each failed start.
        var dropped = Assert.Throws<ArgumentException>(() => client.Cluster.DeleteObjectReference<IPushGateway>(refused));
        Assert.Contains("not associated with a local object", dropped.Message);

        // A retry with the same gateway object subscribes on a reference of its own, and disposing drops that one.
        var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-retried"), gateway);
        var retried = calls.Gateways[1];
        Assert.NotEqual(refused, retried);
        await subscription.DisposeAsync();
        Assert.Throws<ArgumentException>(() => client.Cluster.DeleteObjectReference<IPushGateway>(retried));
    }

    [Fact]
    public async Task A_renewal_cancelled_by_a_token_not_its_own_is_a_failed_renewal_and_the_renewals_go_on()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var calls = new SubscribeCalls();
        await using var client = await AlertsClient.ConnectAsync(silo.Gateway().Cluster, configure: builder => builder.AddOutgoingGrainCallFilter(calls));
        var clock = new WatchedClock();
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-cancelled"), new RemoteGateway(client.Cluster), clock);
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.RenewalFailed += e => failed.TrySetResult(e);
        // The tests' lease is 3 s: a renewal every second.
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());

        // The host's client gives up on the next renewal: it is reported, and the one after comes on schedule and is
        // answered (until 2026-12-02 the renewals ended there silently, and the hub let the gateway go a lease later).
        calls.CancelNext();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.IsAssignableFrom<OperationCanceledException>(await failed.Task.WaitAsync(Patience));
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
        Assert.Equal(3, calls.Gateways.Count);
    }

    [Fact]
    public async Task Failed_renewals_and_the_lease_they_lose_are_logged_through_the_clients_logging_with_the_gateway_and_the_reason()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var calls = new SubscribeCalls();
        var log = new CapturedLog();
        await using var client = await AlertsClient.ConnectAsync(silo.Gateway().Cluster, logging: logging => logging.AddProvider(log), configure: builder => builder.AddOutgoingGrainCallFilter(calls));
        var clock = new WatchedClock();
        var name = ProcessSettings.GatewayName("gw-logged");
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, name, new RemoteGateway(client.Cluster), clock);
        var failures = Channel.CreateUnbounded<Exception>();
        subscription.RenewalFailed += e => failures.Writer.TryWrite(e);
        // The tests' lease is 3 s: a renewal every second.
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());

        // Three renewals in a row are given up on by the host's client: each is logged (before RenewalFailed is raised)
        // naming the gateway and why; the third comes a lease after the last answered one was sent, so the lease is lost.
        for (var renewal = 1; renewal <= 3; renewal++)
        {
            calls.CancelNext();
            clock.Advance(TimeSpan.FromSeconds(1));
            await failures.Reader.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal(renewal, log.Logged(LogLevel.Warning, "Renewing the push hub subscription of gateway " + name + " failed").Count);
            Assert.Equal(renewal == 3 ? 1 : 0, log.Logged(LogLevel.Warning, "The push hub subscription of gateway " + name + " is lost").Count);
            Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
        }

        Assert.All(log.Logged(LogLevel.Warning, name), line => Assert.Contains("OperationCanceledException: ", line));

        // The next renewal is answered: said once, at Information.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), await clock.NextTimerAsync());
        Assert.Single(log.Logged(LogLevel.Information, "Gateway " + name + " is subscribed at the push hub again"));
        Assert.Equal(4, log.Logged(LogLevel.Warning, name).Count);
    }

    [Fact]
    public async Task Disposing_twice_or_from_two_places_at_once_returns_quietly()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        await using var client = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort);
        var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-twice"), new RemoteGateway(client.Cluster));

        // A host's stopping hook and an `await using`, say.
        await Task.WhenAll(subscription.DisposeAsync().AsTask(), subscription.DisposeAsync().AsTask());
        await subscription.DisposeAsync();
    }
}
