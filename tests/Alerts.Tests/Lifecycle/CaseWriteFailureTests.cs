using System.Globalization;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// An admin's action meets a storage failure: unwritten, it changes nothing and can simply be made again; written, it
/// stands and is said to, and the index and audit rows that follow it are written once storage is back.
/// </summary>
public sealed class CaseWriteFailureTests
{
    [Fact]
    public async Task An_approval_whose_state_cannot_be_written_changes_nothing_and_is_made_again()
    {
        await using var silo = await FiledCaseAsync("approve-me");
        var gateway = await silo.SubscribeGatewayAsync();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("approve-me");

        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.grain_id LIKE '%approve-me%'");
        await Assert.ThrowsAnyAsync<Exception>(() => Admins.ApproveAsync(caseGrain));
        var record = await caseGrain.GetRecord();
        Assert.Equal((CaseStatus.AwaitingApproval, null, null), (record.Status, record.ApprovedBy, record.ActiveUntil));

        await AllowAsync(silo);
        Assert.Equal(CaseStatus.Dispatching, (await Admins.ApproveAsync(caseGrain)).Status);
        await gateway.WaitForPushes(20);
        Assert.Equal(["case.open", "case.submit", "case.approve"], (await AuditAsync(silo, "approve-me")).Select(r => r.Action));
    }

    [Fact]
    public async Task An_approval_saved_but_whose_index_and_audit_rows_cannot_be_written_stands_and_they_follow()
    {
        await using var silo = await FiledCaseAsync("approve-me");
        var gateway = await silo.SubscribeGatewayAsync();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("approve-me");

        await RefuseAsync(silo, "UPDATE ON cases", "INSERT ON audit_log");
        // Decided once saved: the admin hears so, and the alert goes out.
        Assert.Equal(CaseStatus.Dispatching, (await Admins.ApproveAsync(caseGrain)).Status);
        await gateway.WaitForPushes(20);
        await silo.DispatchedAsync("approve-me");
        Assert.Equal("AwaitingApproval", await IndexedStatusAsync(silo, "approve-me"));

        await AllowAsync(silo);
        await AdvanceUntilAsync(silo, caseGrain, async () => (await AuditAsync(silo, "approve-me")).Count == 3 && await IndexedStatusAsync(silo, "approve-me") == "Active");
        Assert.Equal(("case.approve", Admins.Approver), (await AuditAsync(silo, "approve-me"))[^1]);
        Assert.Equal("Active", await IndexedStatusAsync(silo, "approve-me"));
    }

    [Fact]
    public async Task Updates_whose_audit_rows_cannot_be_written_are_sent_once_and_audited_in_order_later()
    {
        var (silo, gateway, caseGrain) = await LiveCaseAsync("updated", Around.Ring(1, 20, 3_000));
        await using var _ = silo;

        await RefuseAsync(silo, "INSERT ON audit_log");
        using (Admins.As(Admins.Filer)) await caseGrain.Update("Now wearing a blue cap");
        using (Admins.As(Admins.Approver)) await caseGrain.Widen(12_000);
        await gateway.WaitForPushes(40);

        await AllowAsync(silo);
        await AdvanceUntilAsync(silo, caseGrain, async () => (await AuditAsync(silo, "updated")).Count == 5);
        Assert.Equal([("case.update", Admins.Filer), ("case.widen", Admins.Approver)], (await AuditAsync(silo, "updated"))[3..]);
        Assert.Single((await caseGrain.GetRecord()).Notices);
        Assert.Equal(20, gateway.Batches.Where(b => b.Payload.Kind == NoticeKind.Update).Sum(b => b.UserIds.Count));
    }

    [Fact]
    public async Task An_audit_row_still_owed_when_its_silo_stops_is_written_by_the_cases_next_activation()
    {
        var store = StorageKind.Fresh("sqlite");
        var silo = await AlertsSilo.StartAsync(store);
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("owed");
        using (Admins.As(Admins.Filer)) await caseGrain.Open(Admins.Case(Around.Lat, Around.Lon, 10_000));
        await RefuseAsync(silo, "INSERT ON audit_log");
        using (Admins.As(Admins.Filer)) Assert.Equal(CaseStatus.AwaitingApproval, (await caseGrain.Submit()).Status);
        var now = silo.Time.GetUtcNow();
        // The deactivation's last try is refused too: the row stays owed in the case's saved state.
        await silo.DisposeAsync();

        // Nothing resumes a case awaiting approval: the first call activates it, and it writes the row first.
        await using var restarted = await AlertsSilo.StartAsync(store, new ManualTimeProvider(now));
        await AllowAsync(restarted);
        await restarted.Grains.GetGrain<ICaseGrain>("owed").GetProgress();
        Assert.Equal([("case.open", Admins.Filer), ("case.submit", Admins.Filer)], await AuditAsync(restarted, "owed"));
    }

    [Fact]
    public async Task A_widening_whose_state_cannot_be_written_keeps_the_radius_and_is_made_again()
    {
        var (silo, gateway, caseGrain) = await LiveCaseAsync("widened", Around.Ring(1, 10, 3_000), Around.Ring(101, 10, 15_000));
        await using var _ = silo;

        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.grain_id LIKE '%widened%'");
        using (Admins.As(Admins.Approver)) await Assert.ThrowsAnyAsync<Exception>(() => caseGrain.Widen(20_000));
        Assert.Equal((CaseStatus.Active, 10_000d), (await caseGrain.GetProgress()) is var p ? (p.Status, p.RadiusMeters) : default);

        await AllowAsync(silo);
        using (Admins.As(Admins.Approver)) await caseGrain.Widen(20_000);
        await gateway.WaitForPushes(20);
        Assert.Equal(Enumerable.Range(1, 10).Concat(Enumerable.Range(101, 10)).Select(i => (long)i), gateway.Pushes.Order());
    }

    [Fact]
    public async Task An_extension_or_a_filing_whose_state_cannot_be_written_is_made_again()
    {
        var (silo, _, caseGrain) = await LiveCaseAsync("extended", Around.Ring(1, 10, 3_000));
        await using var _ = silo;
        var until = (await caseGrain.GetRecord()).ActiveUntil;

        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.grain_id LIKE '%extended%'", "INSERT ON orleans_grain_state WHEN NEW.grain_id LIKE '%filed%'");
        using (Admins.As(Admins.Approver)) await Assert.ThrowsAnyAsync<Exception>(() => caseGrain.Extend(TimeSpan.FromDays(4)));
        Assert.Equal(until, (await caseGrain.GetRecord()).ActiveUntil);
        var filed = silo.Grains.GetGrain<ICaseGrain>("filed");
        using (Admins.As(Admins.Filer)) await Assert.ThrowsAnyAsync<Exception>(() => filed.Open(Admins.Case(Around.Lat, Around.Lon, 10_000)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => filed.GetRecord());

        await AllowAsync(silo);
        using (Admins.As(Admins.Approver)) await caseGrain.Extend(TimeSpan.FromDays(4));
        Assert.Equal(silo.Time.GetUtcNow() + TimeSpan.FromDays(4), (await caseGrain.GetRecord()).ActiveUntil);
        using (Admins.As(Admins.Filer)) Assert.Equal(CaseStatus.Draft, (await filed.Open(Admins.Case(Around.Lat, Around.Lon, 10_000))).Status);
    }

    [Fact]
    public async Task A_case_whose_stored_state_changed_under_it_reads_it_again_and_goes_on()
    {
        await using var silo = await FiledCaseAsync("approve-me");
        var gateway = await silo.SubscribeGatewayAsync();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("approve-me");
        // As when a write this activation saw fail had in fact landed: the stored version is not the one it holds.
        await silo.ExecuteAsync("UPDATE orleans_grain_state SET etag = 'written-elsewhere' WHERE grain_id LIKE '%approve-me%'");

        await Assert.ThrowsAnyAsync<Exception>(() => Admins.ApproveAsync(caseGrain));
        Assert.Equal(CaseStatus.Dispatching, (await Admins.ApproveAsync(caseGrain)).Status);
        await gateway.WaitForPushes(20);
    }

    [Fact]
    public async Task An_extension_the_registry_cannot_take_at_once_stands_and_its_cells_learn_the_new_end_later()
    {
        var (silo, _, caseGrain) = await LiveCaseAsync("extended", Around.Ring(1, 10, 3_000));
        await using var _ = silo;
        var oldEnd = (await caseGrain.GetRecord()).ActiveUntil!.Value;
        var newEnd = silo.Time.GetUtcNow() + TimeSpan.FromDays(4);

        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.state_name = 'active-cases'");
        using (Admins.As(Admins.Approver)) await caseGrain.Extend(TimeSpan.FromDays(4));
        Assert.Equal(newEnd, (await caseGrain.GetRecord()).ActiveUntil);
        Assert.Equal("case.extend", (await AuditAsync(silo, "extended"))[^1].Action);

        await AllowAsync(silo);
        var registry = silo.Grains.GetGrain<IActiveCasesGrain>(0);
        var cell = Geohash.Encode(Around.Lat, Around.Lon, new AlertsOptions().CellPrecision).Packed;
        await AdvanceUntilAsync(silo, caseGrain, async () => (await registry.ForCell(cell)).Single().ActiveUntil == newEnd);
        Assert.Equal(newEnd, (await registry.ForCell(cell)).Single().ActiveUntil);

        // Past the old end, a user moving into the circle still reaches the case: its cells hold the new end.
        silo.Time.Advance(oldEnd - silo.Time.GetUtcNow() + TimeSpan.FromHours(1));
        await Around.ReportAsync(silo, [Around.At(500, 2_000, fixTime: silo.Time.GetUtcNow())]);
        await silo.WaitUntilCaseHasAsync("extended", [500]);
    }

    [Fact]
    public async Task A_recovery_sweep_whose_pass_cannot_be_saved_is_made_by_the_next_resume()
    {
        var store = StorageKind.Fresh("sqlite");
        var silo = await AlertsSilo.StartAsync(store);
        await Around.ReportAsync(silo, Around.Ring(1, 10, 3_000));
        await silo.DispatchAsync("swept", Admins.Case(Around.Lat, Around.Lon, 10_000));
        var now = silo.Time.GetUtcNow();
        // A late arrival lost with the dead activation: a resident inside the circle the case never heard of.
        var arrival = Around.At(500, 2_000, fixTime: now);
        var cell = Geohash.Encode(arrival.Latitude, arrival.Longitude, new AlertsOptions().CellPrecision).OrderKey;
        await silo.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
            $"INSERT INTO residents (user_id, cell, lat, lon, fix_ms) VALUES (500, {cell}, {arrival.Latitude}, {arrival.Longitude}, {now.ToUnixTimeMilliseconds()})"));
        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.grain_id LIKE '%swept%'");
        await silo.DisposeAsync();

        // The restart's recovery resumes the case, and its sweep cannot be saved; the next recovery pass resumes it again.
        await using var restarted = await AlertsSilo.StartAsync(store, new ManualTimeProvider(now));
        Assert.Equal(10L, (await restarted.Cases.LoadRecipientsAsync("swept")).Count);
        await AllowAsync(restarted);
        await restarted.Grains.GetGrain<ICaseDispatchGrain>("swept").Resume();
        await restarted.DispatchedAsync("swept");
        Assert.Contains(500L, await restarted.Cases.LoadRecipientsAsync("swept"));
    }

    [Fact]
    public async Task A_registration_or_release_the_registry_could_not_write_is_written_when_the_case_makes_it_again()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var registry = silo.Grains.GetGrain<IActiveCasesGrain>(0);
        var until = silo.Time.GetUtcNow() + TimeSpan.FromHours(72);
        await registry.Register(new ActiveCase("first", Around.Lat, Around.Lon, 10_000, until));
        var second = new ActiveCase("second", Around.Lat, Around.Lon, 10_000, until);

        // Each write refused once, then made again by the case (as its pass's end or its retried end does): it must be
        // written then, not taken as done because the registry's memory already had it.
        var stored = await RegistryVersionAsync(silo);
        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.state_name = 'active-cases'");
        await Assert.ThrowsAnyAsync<Exception>(() => registry.Register(second));
        await AllowAsync(silo);
        await registry.Register(second);
        Assert.NotEqual(stored, stored = await RegistryVersionAsync(silo));

        await RefuseAsync(silo, "UPDATE ON orleans_grain_state WHEN OLD.state_name = 'active-cases'");
        await Assert.ThrowsAnyAsync<Exception>(() => registry.Unregister("first"));
        await AllowAsync(silo);
        await registry.Unregister("first");
        Assert.NotEqual(stored, await RegistryVersionAsync(silo));
    }

    private static async Task<string> RegistryVersionAsync(AlertsSilo silo) =>
        (await silo.QueryAsync<string>("SELECT etag FROM orleans_grain_state WHERE state_name = 'active-cases'")).Single();

    // A case of 10 km around the centre, dispatched to the residents given, and a gateway that took its pushes.
    private static async Task<(AlertsSilo Silo, RecordingGateway Gateway, ICaseGrain Case)> LiveCaseAsync(string caseId, params List<LocationUpdate>[] residents)
    {
        var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        foreach (var group in residents) await Around.ReportAsync(silo, group);
        var gateway = await silo.SubscribeGatewayAsync();
        var reached = await silo.DispatchAsync(caseId, Admins.Case(Around.Lat, Around.Lon, 10_000));
        await gateway.WaitForPushes((int)reached.Recipients);
        return (silo, gateway, silo.Grains.GetGrain<ICaseGrain>(caseId));
    }

    // A case filed and submitted over 20 residents, waiting for its approval.
    private static async Task<AlertsSilo> FiledCaseAsync(string caseId)
    {
        var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await Around.ReportAsync(silo, Around.Ring(1, 20, 5_000));
        await Admins.FileAsync(silo.Grains.GetGrain<ICaseGrain>(caseId), Admins.Case(Around.Lat, Around.Lon, 20_000));
        return silo;
    }

    private static async Task RefuseAsync(AlertsSilo silo, params string[] writes)
    {
        for (var i = 0; i < writes.Length; i++)
            await silo.ExecuteAsync($"CREATE TRIGGER refuse_{i} BEFORE {writes[i]} BEGIN SELECT RAISE(ABORT, 'refused'); END");
    }

    private static async Task AllowAsync(AlertsSilo silo)
    {
        foreach (var trigger in await silo.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'refuse_%'"))
            await silo.ExecuteAsync($"DROP TRIGGER {trigger}");
    }

    private static async Task<List<(string Action, string Actor)>> AuditAsync(AlertsSilo silo, string caseId) =>
        await silo.QueryAsync<(string, string)>($"SELECT action, actor FROM audit_log WHERE subject = '{caseId}' ORDER BY seq");

    private static async Task<string?> IndexedStatusAsync(AlertsSilo silo, string caseId) =>
        (await silo.QueryAsync<string>($"SELECT status FROM cases WHERE case_id = '{caseId}'")).SingleOrDefault();

    // The owed rows are written again by a timer on the silo's manual clock: a second at a time, a call after each.
    private static async Task AdvanceUntilAsync(AlertsSilo silo, ICaseGrain caseGrain, Func<Task<bool>> done)
    {
        for (var second = 0; second < 30 && !await done(); second++)
        {
            silo.Time.Advance(TimeSpan.FromSeconds(1));
            await caseGrain.GetProgress();
        }
    }
}
