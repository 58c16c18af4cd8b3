using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// A gateway connection against a real embedded silo process: every resident inside a dispatched case
/// reaches the app exactly once, through silo restarts (graceful and SIGKILL) mid-dispatch and through
/// the hub's resends.
/// </summary>
public sealed class GatewayDeliveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Every_resident_inside_reaches_the_app_once_and_every_batch_is_acknowledged()
    {
        var silo = GatewaySilo.Fresh();
        await using var process = await silo.StartAsync();
        var app = new GatewayApp();
        await using var gateway = await GatewayConnection.ConnectAsync(silo.Gateway(), app.Deliver);
        Assert.Equal(GatewayState.Connected, gateway.State);

        var (lat, lon, radius) = (22.5431, 114.0579, 50_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 2_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);
        Assert.Equal(residents.Count, (await gateway.ReportAsync(residents)).Applied);

        await using var admin = await silo.AdminAsync();
        var caseGrain = admin.GetGrain<ICaseGrain>("gateway-once");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child near Futian", "https://alerts.example/c/once"));
        await silo.ApproveAsync(caseGrain.GetPrimaryKeyString());

        await app.WaitForUsers(expected.Count, Patience);
        await WaitUntilHubIsIdle(admin, gateway);
        Assert.Equal(expected.OrderBy(x => x), app.Users.OrderBy(x => x));
        Assert.All(app.CallsPerBatch.Values, calls => Assert.Equal(1, calls));
        var counters = gateway.Counters;
        Assert.Equal(app.CallsPerBatch.Count, counters.BatchesDelivered);
        Assert.Equal(expected.Count, counters.UsersDelivered);
        Assert.True(counters.Acknowledged >= counters.BatchesDelivered, $"{counters}");
        Assert.Equal(0, counters.Resubscriptions);
    }

    [Theory]
    [InlineData("terminate")]
    [InlineData("kill")]
    public async Task A_silo_restart_mid_dispatch_reconnects_by_itself_and_the_app_gets_everyone_once(string how)
    {
        var silo = GatewaySilo.Fresh();
        // A grain per cell and one cell per step stretch the dispatch over many durable steps, so the restart lands inside it.
        silo.Settings["Alerts:BlockPrecision"] = "5";
        silo.Settings["Alerts:CellsPerDispatchStep"] = "1";
        var (lat, lon, radius) = (22.5431, 114.0579, 120_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 6_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);

        // Residents arrive, then a graceful restart writes every position: a SIGKILL later loses only what
        // the last flush interval had not written, and this test is about pushes, not positions.
        var process = await silo.StartAsync();
        await using (var setup = await silo.AdminAsync())
        {
            Assert.Equal(residents.Count, (await Population.ReportAsync(setup.GetGrain<IResidencyGrain>(0), residents)).Applied);
        }

        await process.TerminateAsync();
        await process.DisposeAsync();
        process = await silo.StartAsync();
        try
        {
            var app = new GatewayApp();
            await using var gateway = await GatewayConnection.ConnectAsync(silo.Gateway(), app.Deliver);
            var states = new StateLog(gateway);

            // The admin client lives through the restart (it reconnects by itself); it is closed at the end.
            await using var admin = await silo.AdminAsync();
            var caseGrain = admin.GetGrain<ICaseGrain>("gateway-restart");
            await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child near Futian", "https://alerts.example/c/restart"));
            // The approver connects first and closes after the restart: closing a client between the approval and the
            // restart gave the dispatch time to finish in the embedded kill test (seen in a CI-clone run).
            var approver = await ProcessSettings.ConnectAsync(silo.ClusterId, silo.GatewayPort, ProcessSettings.ApproverCredential);
            await approver.GetGrain<ICaseGrain>(caseGrain.GetPrimaryKeyString()).Approve();
            await app.WaitForFirstDelivery(Patience);
            var atRestart = await caseGrain.GetProgress();
            // At once, before anything else: the restart must land mid-dispatch.
            var beforeRestart = states.States.Count - 1;
            if (how == "kill") await process.KillAsync();
            else await process.TerminateAsync();

            await process.DisposeAsync();
            await approver.DisposeAsync();
            Assert.True(atRestart.Status == CaseStatus.Dispatching && atRestart.CellsDone < atRestart.CellsTotal, $"the restart must land mid-dispatch: {atRestart}");

            await states.WaitFor(GatewayState.Reconnecting, beforeRestart, Patience);
            var lost = states.States.Count - 1;
            process = await silo.StartAsync();
            await states.WaitFor(GatewayState.Connected, lost, Patience);

            // The case resumes by itself on the restarted silo; everyone inside reaches the app once.
            // About 1,500 small batches after the restart went at 5-20 a second in a CI-clone run whose test host had leaked
            // spinning silos (2,567 of 2,720 users after 120 s, 2026-12-01, fixed by FailedStart): the bound is for a
            // delivery that stopped, not a busy machine.
            await app.WaitForUsers(expected.Count, TimeSpan.FromMinutes(6));
            await using var after = await silo.AdminAsync();
            await WaitUntilHubIsIdle(after, gateway, everyAckAnswered: how != "kill");
            var users = app.Users;
            Assert.Equal(users.Count, users.Distinct().Count());
            Assert.Equal(expected.OrderBy(x => x), users.OrderBy(x => x));
            Assert.All(app.CallsPerBatch.Values, calls => Assert.Equal(1, calls));

            var seen = states.States;
            Assert.Equal(GatewayState.Connected, seen[0]);
            Assert.Equal(GatewayState.Connected, seen[^1]);
            Assert.DoesNotContain(GatewayState.Closed, seen);
            var counters = gateway.Counters;
            Assert.True(counters.Resubscriptions >= 1, $"{counters}");
            Assert.Equal(expected.Count, counters.UsersDelivered);
        }
        finally
        {
            await process.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_batch_resent_while_its_slow_first_delivery_runs_is_delivered_once_and_acknowledged()
    {
        var silo = GatewaySilo.Fresh();
        silo.Settings["Alerts:AckTimeout"] = "00:00:01";
        await using var process = await silo.StartAsync();
        var app = new GatewayApp();
        var slowTaken = 0;
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first batch's delivery is held until the hub has sent it again and the gateway has dropped the copy: held
        // on a signal, not for a time, so a busy machine cannot let it finish before the ack timeout.
        app.BeforeDelivering = (batch, call, cancellationToken) =>
            Interlocked.Exchange(ref slowTaken, 1) == 0 ? released.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
        await using var gateway = await GatewayConnection.ConnectAsync(silo.Gateway(), app.Deliver);

        var (lat, lon, radius) = (-17.7134, 179.6, 40_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 600, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);
        await gateway.ReportAsync(residents);

        await using var admin = await silo.AdminAsync();
        var caseGrain = admin.GetGrain<ICaseGrain>("gateway-resend");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child", "https://alerts.example/c/resend"));
        await silo.ApproveAsync(caseGrain.GetPrimaryKeyString());
        await Eventually.UntilAsync(() => Task.FromResult(gateway.Counters.DuplicatesDropped >= 1), Patience, () => $"a resent copy dropped while the first delivery runs: {gateway.Counters}");
        released.SetResult();

        await app.WaitForUsers(expected.Count, Patience);
        var stats = await WaitUntilHubIsIdle(admin, gateway);
        Assert.Equal(expected.OrderBy(x => x), app.Users.OrderBy(x => x));
        Assert.All(app.CallsPerBatch, b => Assert.Equal(1, b.Value));
        Assert.True(stats.Resent >= 1, $"the hub must have resent the slow batch: {stats}");
        var counters = gateway.Counters;
        Assert.True(counters.DuplicatesDropped >= 1, $"{counters}");
        Assert.Equal(app.CallsPerBatch.Count, counters.BatchesDelivered);
    }

    [Fact]
    public async Task A_gateway_running_two_deliveries_at_once_is_handed_no_more_than_two_unacknowledged_batches()
    {
        var silo = GatewaySilo.Fresh();
        silo.Settings["Alerts:PushBatchSize"] = "10";
        await using var process = await silo.StartAsync();
        // Deliveries stall until released: the hub's unacknowledged batches are then what the gateway holds.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = new GatewayApp { BeforeDelivering = (_, _, token) => release.Task.WaitAsync(token) };
        var options = silo.Gateway();
        options.MaxConcurrentDeliveries = 2;
        await using var gateway = await GatewayConnection.ConnectAsync(options, app.Deliver);

        var (lat, lon, radius) = (22.5431, 114.0579, 50_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 300, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);
        Assert.Equal(residents.Count, (await gateway.ReportAsync(residents)).Applied);
        await using var admin = await silo.AdminAsync();
        var caseGrain = admin.GetGrain<ICaseGrain>("gateway-room");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child near Futian", "https://alerts.example/c/room"));
        await silo.ApproveAsync(caseGrain.GetPrimaryKeyString());

        // With batches waiting, the hub has filled the gateway's room (it pumps at the end of every turn).
        var hub = admin.GetGrain<IPushHubGrain>(0);
        PushHubStats? stats = null;
        await Eventually.UntilAsync(async () => (stats = await hub.GetStats()) is { Pending: > 0, InFlight: > 0 }, Patience, () => $"batches waiting at the hub: {stats}");
        Assert.Equal(2, stats!.InFlight);

        release.SetResult();
        await app.WaitForUsers(expected.Count, Patience);
        Assert.Equal(expected.OrderBy(x => x), app.Users.OrderBy(x => x));
    }

    // Nothing waiting or unacknowledged at the hub, and (unless a silo died under an acknowledgement, whose
    // reply is then lost even though the outbox row may be gone) the gateway's acknowledgements all taken.
    private static async Task<PushHubStats> WaitUntilHubIsIdle(AlertsClient admin, GatewayConnection gateway, bool everyAckAnswered = true)
    {
        var hub = admin.GetGrain<IPushHubGrain>(0);
        PushHubStats? stats = null;
        await Eventually.UntilAsync(
            async () => (stats = await Transient.RetryAsync(hub.GetStats)) is { Pending: 0, InFlight: 0 } && (!everyAckAnswered || gateway.Counters.Acknowledged >= gateway.Counters.BatchesDelivered),
            Patience,
            () => $"an idle hub: {stats}, {gateway.Counters}");
        return stats!;
    }
}
