using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>Updates, closing messages and corrections: to everyone reached when issued, once each, also across a restart.</summary>
public sealed class NoticeTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task An_update_reaches_everyone_already_reached_once_and_later_arrivals_get_only_the_new_message(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new() { ["Alerts:NoticeUsersPerStep"] = "7" });
        await Around.ReportAsync(silo, Around.Ring(1, 40, 3_000));
        var gateway = await silo.SubscribeGatewayAsync();
        await silo.DispatchAsync("updated", Admins.Case(Around.Lat, Around.Lon, 10_000, "Missing: boy, 6, red jacket"));
        await gateway.WaitForPushes(40);
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("updated");

        using (Admins.As(Admins.Filer)) await caseGrain.Update("Missing: boy, 6, now in a blue cap");
        await gateway.WaitForPushes(80);

        // A user who arrives after the update gets the alert with the new text, and no update on top of it.
        await Around.ReportAsync(silo, [Around.At(500, 1_000, fixTime: AlertsSilo.Epoch.AddSeconds(1))]);
        await silo.WaitUntilCaseHasAsync("updated", [500]);
        silo.Time.Advance(TimeSpan.FromSeconds(5));
        await gateway.WaitForPushes(81);

        var alerts = gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Alert).ToList();
        var updates = gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Update).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i).Append(500), alerts.SelectMany(b => b.UserIds).Order());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), updates.SelectMany(b => b.UserIds).Order());
        Assert.All(updates, b => Assert.Equal("Missing: boy, 6, now in a blue cap", b.Payload.Message));
        Assert.Equal("Missing: boy, 6, now in a blue cap", alerts.Single(b => b.UserIds.Contains(500)).Payload.Message);
        var record = await caseGrain.GetRecord();
        var notice = Assert.Single(record.Notices);
        Assert.Equal((NoticeKind.Update, 40L, true, Admins.Filer), (notice.Kind, notice.Sent, notice.Done, notice.IssuedBy));
        Assert.Equal(0, (await caseGrain.GetProgress()).NoticesPending);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_notice_interrupted_by_a_restart_finishes_and_nobody_gets_it_twice(string provider)
    {
        var store = StorageKind.Fresh(provider);
        var time = new ManualTimeProvider(AlertsSilo.Epoch);
        var settings = new Dictionary<string, string?> { ["Alerts:NoticeUsersPerStep"] = "5" };
        RecordingGateway first;
        await using (var silo = await AlertsSilo.StartAsync(store, time, settings))
        {
            await Around.ReportAsync(silo, Around.Ring(1, 300, 4_000));
            first = await silo.SubscribeGatewayAsync();
            await silo.DispatchAsync("restarted", Admins.Case(Around.Lat, Around.Lon, 10_000));
            await first.WaitForPushes(300);
            using (Admins.As(Admins.Filer)) await silo.Grains.GetGrain<ICaseGrain>("restarted").Update("New details: a blue cap");
            // Stopped as soon as the update is issued: most of its 60 steps are still to come.
        }

        // What the first gateway received up to the stop (acknowledged batches leave the outbox and are not sent again).
        var firstBatches = first.Batches;

        await using var again = await AlertsSilo.StartAsync(store, time, settings);
        var second = await again.SubscribeGatewayAsync();
        var caseGrain = again.Grains.GetGrain<ICaseGrain>("restarted");

        // A batch the first gateway got but had not acknowledged comes again with the same id: a gateway drops it. Distinct
        // batch ids across both gateways are what the users got; each must hold every user exactly once.
        List<long> Updates() => firstBatches.Concat(second.Batches).Where(b => b.Payload.Kind == NoticeKind.Update)
            .DistinctBy(b => b.BatchId).SelectMany(b => b.UserIds).ToList();
        await Eventually.UntilAsync(async () => Updates().Distinct().Count() == 300 && (await caseGrain.GetProgress()).NoticesPending == 0,
            TimeSpan.FromSeconds(120), () => $"the update to reach 300 users; it reached {Updates().Distinct().Count()}");
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), Updates().Order());
        Assert.Equal(300L, Assert.Single((await caseGrain.GetRecord()).Notices).Sent);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Resolving_sends_the_closing_message_to_everyone_reached(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider));
        await Around.ReportAsync(silo, Around.Ring(1, 30, 3_000));
        var gateway = await silo.SubscribeGatewayAsync();
        await silo.DispatchAsync("found", Admins.Case(Around.Lat, Around.Lon, 10_000));
        using (Admins.As(Admins.Filer))
        {
            Assert.Equal("closingMessage", (await Assert.ThrowsAsync<ArgumentException>(() => silo.Grains.GetGrain<ICaseGrain>("found").Resolve(new string('x', 361)))).ParamName);
            Assert.Equal(CaseStatus.Resolved, (await silo.Grains.GetGrain<ICaseGrain>("found").Resolve(null)).Status);
        }

        await gateway.WaitForPushes(60);
        var closing = gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Resolved).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), closing.SelectMany(b => b.UserIds).Order());
        Assert.All(closing, b => Assert.Equal("The child has been found. Thank you for looking and sharing.", b.Payload.Message));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Cancelling_mid_dispatch_stops_it_and_sends_the_prepared_correction_to_exactly_those_reached(string provider)
    {
        // A grain per cell, one per step, over about 800 cells: the dispatch is far from done when its first push arrives.
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new() { ["Alerts:BlockPrecision"] = "5", ["Alerts:CellsPerDispatchStep"] = "1" });
        await Around.ReportAsync(silo, Enumerable.Range(0, 400).Select(i => Around.At(i + 1, 500 + i * 190, i * 37 % 360)).ToList());
        var gateway = await silo.SubscribeGatewayAsync();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("false-alarm");
        await Admins.FileAsync(caseGrain, Admins.Case(Around.Lat, Around.Lon, 80_000));
        await Admins.ApproveAsync(caseGrain);
        await gateway.WaitForPushes(1);
        CaseProgress cancelled;
        using (Admins.As(Admins.Approver)) cancelled = await caseGrain.Cancel("the child was at a friend's house");
        Assert.True(cancelled.CellsDone < cancelled.CellsTotal, $"the cancel must land mid-dispatch: {cancelled}");
        var reached = await silo.Cases.LoadRecipientsAsync("false-alarm");
        Assert.Equal(reached.Count, cancelled.Recipients);

        await gateway.WaitForPushes(reached.Count * 2);
        var corrections = gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Cancelled).ToList();
        Assert.Equal(reached.Order(), corrections.SelectMany(b => b.UserIds).Order());
        Assert.All(corrections, b => Assert.Equal(SampleCases.At(0, 0, null).Correction, b.Payload.Message));
        Assert.Equal(reached.Order(), gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Alert).SelectMany(b => b.UserIds).Order());
        var progress = await caseGrain.GetProgress();
        Assert.Equal((CaseStatus.Cancelled, cancelled.CellsDone, (long)reached.Count), (progress.Status, progress.CellsDone, progress.Recipients));
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Cancelling_withdraws_the_batches_no_gateway_has_taken_and_corrects_only_those_it_had(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: new() { ["Alerts:PushBatchSize"] = "10", ["Alerts:MaxBatchesInFlightPerGateway"] = "2" });
        await Around.ReportAsync(silo, Around.Ring(1, 100, 3_000));
        // The gateway takes two batches and acknowledges nothing: the other eight wait in the hub.
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        Assert.Equal(100, (await silo.DispatchAsync("false-alarm", Admins.Case(Around.Lat, Around.Lon, 10_000))).Recipients);
        await gateway.WaitForDeliveries(2);
        var taken = gateway.Batches.SelectMany(b => b.UserIds).Order().ToList();
        Assert.Equal(20, taken.Count);

        CaseProgress cancelled;
        using (Admins.As(Admins.Approver)) cancelled = await silo.Grains.GetGrain<ICaseGrain>("false-alarm").Cancel("the child was at a friend's house");

        // Withdrawn from the hub and the outbox at once: of the alert, only the two batches the gateway holds are left
        // (the correction's batches may already be waiting behind them).
        Assert.Equal(20, cancelled.Recipients);
        Assert.Equal(taken, (await silo.Cases.LoadRecipientsAsync("false-alarm")).Order());
        var delivery = await silo.Grains.GetGrain<IPushHubGrain>(0).GetCaseDelivery("false-alarm");
        Assert.Equal((2, 20L), (delivery.BatchesInFlight, delivery.UsersInFlight));
        var outbox = await silo.Services.GetRequiredService<Grains.OutboxStore>().LoadOutboxAsync();
        Assert.Equal(taken, outbox.Where(b => b.Payload.Kind == NoticeKind.Alert).SelectMany(b => b.UserIds).Order());

        // The gateway reconnects (a new reference under its name) and acknowledges from now on: it gets its two batches
        // again, then the corrections.
        var reconnected = new RecordingGateway(silo.Grains);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(reconnected));
        await reconnected.WaitForPushes(40);
        Assert.Equal(taken, reconnected.Batches.Where(b => b.Payload.Kind == NoticeKind.Alert).SelectMany(b => b.UserIds).Order());
        Assert.Equal(taken, reconnected.Batches.Where(b => b.Payload.Kind == NoticeKind.Cancelled).SelectMany(b => b.UserIds).Order());
        Assert.Equal(20L, Assert.Single((await silo.Grains.GetGrain<ICaseGrain>("false-alarm").GetRecord()).Notices).Sent);
    }

    // A hundred users in ten batches of ten; the gateway takes two and acknowledges nothing, so eight wait in the hub.
    private static async Task<(AlertsSilo Silo, List<long> Taken)> TwoBatchesTakenAsync(CellCallFaults? faults = null, string provider = "sqlite")
    {
        var settings = new Dictionary<string, string?> { ["Alerts:PushBatchSize"] = "10", ["Alerts:MaxBatchesInFlightPerGateway"] = "2" };
        var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider), settings: settings, services: faults is null ? null : faults.AddTo);
        await Around.ReportAsync(silo, Around.Ring(1, 100, 3_000));
        var gateway = new RecordingGateway(silo.Grains, _ => false);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(gateway));
        Assert.Equal(100, (await silo.DispatchAsync("false-alarm", Admins.Case(Around.Lat, Around.Lon, 10_000))).Recipients);
        await gateway.WaitForDeliveries(2);
        return (silo, gateway.Batches.SelectMany(b => b.UserIds).Order().ToList());
    }

    // Second by second on the silo's clock until the case's retry has run and what it sends has arrived; a call to the
    // case after each step runs behind the tick that step fired (a retry armed after a jump would wait for the next).
    private static async Task AdvanceUntilAsync(AlertsSilo silo, ICaseGrain caseGrain, Func<bool> arrived)
    {
        for (var second = 0; second < 30 && !arrived(); second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await caseGrain.GetProgress();
            await silo.Grains.GetGrain<IPushHubGrain>(0).GetStats();
        }
    }

    // The gateway comes back under its name and acknowledges: it gets its two alert batches again, then the correction.
    private static async Task<RecordingGateway> ReconnectAsync(AlertsSilo silo, int pushes)
    {
        var reconnected = new RecordingGateway(silo.Grains);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(reconnected));
        await reconnected.WaitForPushes(pushes);
        return reconnected;
    }

    [Fact]
    public async Task A_cancel_whose_cells_cannot_all_be_told_still_withdraws_and_sends_the_correction()
    {
        var faults = new CellCallFaults();
        var (silo, taken) = await TwoBatchesTakenAsync(faults);
        await using var _ = silo;
        // The block that holds the users misses the news (its silo, say, just died): the case is no less cancelled.
        faults.FailNext(silo.Grains.GetCell(Geohash.Encode(Around.Lat, Around.Lon, new AlertsOptions().BlockPrecision)), nameof(ICellGrain.EndCase));
        CaseProgress cancelled;
        using (Admins.As(Admins.Approver)) cancelled = await silo.Grains.GetGrain<ICaseGrain>("false-alarm").Cancel("the child was at a friend's house");
        Assert.Equal(1, faults.Failed);
        Assert.Equal((CaseStatus.Cancelled, 20L), (cancelled.Status, cancelled.Recipients));

        var reconnected = await ReconnectAsync(silo, 40);
        Assert.Equal(taken, reconnected.Batches.Where(b => b.Payload.Kind == NoticeKind.Cancelled).SelectMany(b => b.UserIds).Order());
        Assert.Equal(taken, reconnected.Batches.Where(b => b.Payload.Kind == NoticeKind.Alert).SelectMany(b => b.UserIds).Order());
    }

    [Theory]
    [InlineData("INSERT ON case_notices", 0)] // the correction's row, before the state is written: nothing is sent yet
    [InlineData("UPDATE ON cases", 20)] // the index, after the state is written: the correction is already on its way
    public async Task A_cancel_whose_end_cannot_be_finished_at_once_is_finished_by_its_retry_and_listed_live_until_then(string refused, long sentAtOnce)
    {
        var (silo, taken) = await TwoBatchesTakenAsync();
        await using var _ = silo;
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync($"CREATE TRIGGER refuse_notices BEFORE {refused} BEGIN SELECT RAISE(ABORT, 'refused'); END");

        // The admin's cancel stands (and is said to); the rest of its end is owed.
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("false-alarm");
        using (Admins.As(Admins.Approver)) Assert.Equal(CaseStatus.Cancelled, (await caseGrain.Cancel("the child was at a friend's house")).Status);
        Assert.Equal("Active", await connection.ExecuteScalarAsync<string>("SELECT status FROM cases WHERE case_id = 'false-alarm'"));
        Assert.Equal(sentAtOnce, Assert.Single((await caseGrain.GetRecord()).Notices).Sent);

        await connection.ExecuteAsync("DROP TRIGGER refuse_notices");
        var reconnected = new RecordingGateway(silo.Grains);
        await silo.Grains.GetGrain<IPushHubGrain>(0).Subscribe("gw", silo.Grains.CreateObjectReference<IPushGateway>(reconnected));
        await AdvanceUntilAsync(silo, caseGrain, () => reconnected.Pushes.Count >= 40);
        await reconnected.WaitForPushes(40);
        Assert.Equal(taken, reconnected.Batches.Where(b => b.Payload.Kind == NoticeKind.Cancelled).SelectMany(b => b.UserIds).Order());
        // The index row is the retry timer's: the pushes may all have come before it was due.
        string? listed = null;
        for (var second = 0; second < 30 && listed != "Cancelled"; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await caseGrain.GetProgress();
            listed = await connection.ExecuteScalarAsync<string>("SELECT status FROM cases WHERE case_id = 'false-alarm'");
        }

        Assert.Equal("Cancelled", listed);
        Assert.Equal(20L, (await caseGrain.GetProgress()).Recipients);
    }

    [Fact]
    public async Task An_update_saved_but_whose_row_could_not_be_written_is_acknowledged_and_sent_once()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await Around.ReportAsync(silo, Around.Ring(1, 30, 3_000));
        var gateway = await silo.SubscribeGatewayAsync();
        await silo.DispatchAsync("updated", Admins.Case(Around.Lat, Around.Lon, 10_000));
        await gateway.WaitForPushes(30);
        await using var connection = await silo.Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync("CREATE TRIGGER refuse_notices BEFORE INSERT ON case_notices BEGIN SELECT RAISE(ABORT, 'notices refused'); END");

        // Saved in the case's state, the update is decided: the admin hears so, and does not issue it a second time.
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("updated");
        using (Admins.As(Admins.Filer)) await caseGrain.Update("Now wearing a blue cap");
        await connection.ExecuteAsync("DROP TRIGGER refuse_notices");
        await AdvanceUntilAsync(silo, caseGrain, () => gateway.Pushes.Count >= 60);
        await gateway.WaitForPushes(60);

        var updates = gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Update).SelectMany(b => b.UserIds).ToList();
        Assert.Equal(gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Alert).SelectMany(b => b.UserIds).Order(), updates.Order());
        Assert.Single((await caseGrain.GetRecord()).Notices);
    }

    [Fact]
    public async Task A_batch_whose_gateway_lapsed_is_not_withdrawn_and_its_users_get_the_correction()
    {
        var (silo, taken) = await TwoBatchesTakenAsync();
        await using var _ = silo;
        // The gateway stops renewing: its two batches (on phones, perhaps) go back to the queue, with nobody to take them.
        // Second by second, a call to the hub after each step running behind the check that step fired.
        var hub = silo.Grains.GetGrain<IPushHubGrain>(0);
        for (var second = 0; second <= new AlertsOptions().GatewayLease.TotalSeconds; second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await hub.GetStats();
        }

        Assert.Equal((0, 10), (await hub.GetStats()) is var stats ? (stats.Gateways, stats.Pending) : default);

        CaseProgress cancelled;
        using (Admins.As(Admins.Approver)) cancelled = await silo.Grains.GetGrain<ICaseGrain>("false-alarm").Cancel("the child was at a friend's house");
        Assert.Equal(20L, cancelled.Recipients);
        Assert.Equal(taken, (await silo.Cases.LoadRecipientsAsync("false-alarm")).Order());

        var reconnected = await ReconnectAsync(silo, 40);
        Assert.Equal(taken, reconnected.Batches.Where(b => b.Payload.Kind == NoticeKind.Cancelled).SelectMany(b => b.UserIds).Order());
    }

    [Fact]
    public async Task Cancelling_before_anything_was_sent_sends_no_correction()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await Around.ReportAsync(silo, Around.Ring(1, 10, 3_000));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("never-sent");
        await Admins.FileAsync(caseGrain, Admins.Case(Around.Lat, Around.Lon, 10_000));
        using (Admins.As(Admins.Filer)) await caseGrain.Cancel("duplicate");
        var record = await caseGrain.GetRecord();
        Assert.Equal((CaseStatus.Cancelled, 0L), (record.Status, record.Recipients));
        Assert.Empty(record.Notices);
    }
}
