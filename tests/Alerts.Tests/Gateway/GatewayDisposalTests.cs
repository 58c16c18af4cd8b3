using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>
/// Disposing a gateway connection against a real embedded silo process ends however the app's delivery callback
/// behaves: one that ignores its token, and one that disposes the connection itself.
/// </summary>
public sealed class GatewayDisposalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    // Far longer than any disposal here should take: a test fails on it instead of hanging the run.
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_delivery_that_ignores_its_token_does_not_hold_disposal_past_the_drain_timeout()
    {
        var silo = GatewaySilo.Fresh();
        // A lease longer than the test: only leaving or not leaving the hub decides what it holds afterwards.
        silo.Settings["Alerts:GatewayLease"] = "00:10:00";
        await using var process = await silo.StartAsync();
        var app = new GatewayApp();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        // Every delivery hangs and never looks at its token.
        app.BeforeDelivering = (batch, call, cancellationToken) =>
        {
            started.TrySetResult();
            return never.Task;
        };
        var options = silo.Gateway();
        options.DeliveryDrainTimeout = TimeSpan.FromMilliseconds(200);
        var gateway = await GatewayConnection.ConnectAsync(options, app.Deliver);

        await DispatchAsync(silo, gateway, "gateway-hung-delivery");
        await started.Task.WaitAsync(Patience);
        await gateway.DisposeAsync().AsTask().WaitAsync(Hang);

        Assert.Equal(GatewayState.Closed, gateway.State);
        Assert.Equal(0, gateway.Counters.BatchesDelivered);
        // Its deliveries still run: it stays subscribed, so their batches go elsewhere only when its lease lapses (handed
        // on now, their users could get them twice).
        await using var admin = await silo.AdminAsync();
        var stats = await admin.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.True(stats is { Gateways: 1, InFlight: > 0 }, $"{stats}");
    }

    [Fact]
    public async Task Disposing_from_inside_the_delivery_callback_completes_and_closes_the_connection()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var app = new GatewayApp();
        var connection = new TaskCompletionSource<GatewayConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taken = 0;
        app.BeforeDelivering = async (batch, call, cancellationToken) =>
        {
            if (Interlocked.Exchange(ref taken, 1) == 1) return;
            started.SetResult();
            await (await connection.Task).DisposeAsync();
            disposed.TrySetResult();
        };
        // A drain timeout longer than the test's patience: only not waiting for itself lets this disposal end.
        var options = silo.Gateway();
        options.DeliveryDrainTimeout = TimeSpan.FromMinutes(10);
        await using var gateway = await GatewayConnection.ConnectAsync(options, app.Deliver);
        connection.SetResult(gateway);

        await DispatchAsync(silo, gateway, "gateway-dispose-inside");
        await started.Task.WaitAsync(Patience);
        await disposed.Task.WaitAsync(Hang);

        Assert.Equal(GatewayState.Closed, gateway.State);
    }

    [Fact]
    public async Task A_second_disposal_returns_only_when_the_first_has_drained()
    {
        var silo = GatewaySilo.Fresh();
        // A lease longer than the test: only leaving the hub explains its letting the gateway go.
        silo.Settings["Alerts:GatewayLease"] = "00:10:00";
        await using var process = await silo.StartAsync();
        // Deliveries wait for the test and ignore their token: the first disposal drains them (its timeout is long).
        var (gateway, release) = await ConnectWithDeliveriesHeldAsync(silo, "gateway-dispose-twice");

        // As a host's stopping hook and an `await using` both do: the second call must not let the process end mid-drain.
        var first = gateway.DisposeAsync().AsTask();
        var second = gateway.DisposeAsync().AsTask();
        Assert.False(second.IsCompleted, "the second disposal returned while the first was still draining");
        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(Hang);
        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully);
        Assert.True(gateway.Counters.BatchesDelivered >= 1, $"{gateway.Counters}");

        // Every delivery finished, so it left the hub as it closed: what it held waits for another gateway now.
        await using var admin = await silo.AdminAsync();
        var stats = await admin.GetGrain<IPushHubGrain>(0).GetStats();
        Assert.True(stats is { Gateways: 0, InFlight: 0 }, $"{stats}");
    }

    [Fact]
    public async Task A_drain_longer_than_the_lease_keeps_renewing_it_so_the_hub_hands_the_running_deliveries_to_nobody_else()
    {
        var silo = GatewaySilo.Fresh();
        // Renewed every second; without renewals the hub lets the gateway go 3 s after the last one.
        silo.Settings["Alerts:GatewayLease"] = "00:00:03";
        await using var process = await silo.StartAsync();
        var (gateway, release) = await ConnectWithDeliveriesHeldAsync(silo, "gateway-long-drain");

        var disposing = gateway.DisposeAsync().AsTask();
        // Five renewals, the first at once and then a third of a lease apart: without them the lease would have lapsed
        // by now, and the hub would have taken back what the gateway holds (counted as resent) and given it to others.
        await Eventually.UntilAsync(() => Task.FromResult(gateway.Counters.DrainRenewals >= 5), Patience, () => $"renewals while draining: {gateway.Counters}");
        await using var admin = await silo.AdminAsync();
        var hub = admin.GetGrain<IPushHubGrain>(0);
        var draining = await hub.GetStats();
        Assert.True(draining is { Gateways: 1, InFlight: > 0, Resent: 0 }, $"{draining}");

        // Once its deliveries end it acknowledges them and leaves.
        release.SetResult();
        await disposing.WaitAsync(Hang);
        Assert.True(gateway.Counters.BatchesDelivered >= 1, $"{gateway.Counters}");
        Assert.Equal(0, (await hub.GetStats()).Gateways);
    }

    [Fact]
    public async Task Drain_renewals_the_hub_answers_without_renewing_are_not_counted()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var replaced = await GatewayConnection.ConnectAsync(silo.Gateway("gw-restarted"), new GatewayApp().Deliver);
        // A restarted instance under the same name takes it over while the first one is still closing.
        await using var successor = await GatewayConnection.ConnectAsync(silo.Gateway("gw-restarted"), new GatewayApp().Deliver);

        // Its first draining renewal goes at once and is waited for before disposal ends; the hub renews nothing for it.
        await replaced.DisposeAsync().AsTask().WaitAsync(Hang);

        Assert.Equal(0, replaced.Counters.DrainRenewals);
    }

    // A gateway (drain timeout 10 minutes) whose deliveries of a dispatched case have started and wait, ignoring their
    // token, until the test completes the returned source.
    private static async Task<(GatewayConnection Gateway, TaskCompletionSource Release)> ConnectWithDeliveriesHeldAsync(GatewaySilo silo, string caseId)
    {
        var app = new GatewayApp();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.BeforeDelivering = (batch, call, cancellationToken) =>
        {
            started.TrySetResult();
            return release.Task;
        };
        var options = silo.Gateway();
        options.DeliveryDrainTimeout = TimeSpan.FromMinutes(10);
        var gateway = await GatewayConnection.ConnectAsync(options, app.Deliver);
        await DispatchAsync(silo, gateway, caseId);
        await started.Task.WaitAsync(Patience);
        return (gateway, release);
    }

    // Residents around a small island and an approved case over them: the hub pushes the gateway a few batches.
    private static async Task DispatchAsync(GatewaySilo silo, GatewayConnection gateway, string caseId)
    {
        var (lat, lon, radius) = (-17.7134, 179.6, 40_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 600, DateTimeOffset.UtcNow.AddMinutes(-1));
        await gateway.ReportAsync(residents);
        await using var admin = await silo.AdminAsync();
        var caseGrain = admin.GetGrain<ICaseGrain>(caseId);
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child", $"https://alerts.example/c/{caseId}"));
        await silo.ApproveAsync(caseGrain.GetPrimaryKeyString());
    }
}
