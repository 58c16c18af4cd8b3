using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>The two-person rule, sending back, extension, and the audit log that records every move and cannot be changed.</summary>
public sealed class ApprovalTests
{
    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Nothing_reaches_the_public_until_a_second_admin_approves(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider));
        await Around.ReportAsync(silo, Around.Ring(1, 20, 5_000));
        var gateway = await silo.SubscribeGatewayAsync();
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("two-person");
        Assert.Equal(CaseStatus.AwaitingApproval, (await Admins.FileAsync(caseGrain, Admins.Case(Around.Lat, Around.Lon, 20_000))).Status);

        // The filer may not approve, and neither may a call nobody signed in for.
        using (Admins.As(Admins.Filer))
            Assert.Contains("two-person rule", (await Assert.ThrowsAsync<AccessDeniedException>(() => caseGrain.Approve())).Message);
        Assert.Contains("signed-in admin", (await Assert.ThrowsAsync<AccessDeniedException>(() => caseGrain.Approve())).Message);
        var waiting = await caseGrain.GetProgress();
        Assert.Equal((CaseStatus.AwaitingApproval, 0L), (waiting.Status, waiting.Recipients));
        Assert.Empty(await silo.Cases.LoadRecipientsAsync("two-person"));
        Assert.Empty(gateway.Pushes);

        await Admins.ApproveAsync(caseGrain);
        await gateway.WaitForPushes(20);
        var record = await caseGrain.GetRecord();
        Assert.Equal((Admins.Filer, Admins.Approver), (record.FiledBy, record.ApprovedBy));
        Assert.Equal(AlertsSilo.Epoch + TimeSpan.FromHours(72), record.ActiveUntil);
    }

    [Fact]
    public async Task Through_real_clients_the_filer_is_refused_and_a_second_admin_approves()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var filer = await silo.ConnectClientAsync();
        await using var approver = await silo.ConnectApproverAsync();
        var caseGrain = filer.GetGrain<ICaseGrain>("clients");
        await caseGrain.Open(Admins.Case(Around.Lat, Around.Lon, 5_000));
        await caseGrain.Submit();
        // A client cannot pass itself off as someone else: the caller keys it sends are replaced by its token's name.
        using (Admins.As(Admins.Approver))
            Assert.Contains("tester filed case clients", (await Assert.ThrowsAsync<AccessDeniedException>(() => caseGrain.Approve())).Message);
        Assert.Equal(CaseStatus.Dispatching, (await approver.GetGrain<ICaseGrain>("clients").Approve()).Status);
        Assert.Equal("approver", (await caseGrain.GetRecord()).ApprovedBy);
    }

    [Fact]
    public async Task A_rejected_case_goes_back_to_draft_with_the_reason_and_can_be_submitted_again()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("rejected");
        await Admins.FileAsync(caseGrain, Admins.Case(Around.Lat, Around.Lon, 5_000));
        using (Admins.As(Admins.Approver))
        {
            Assert.Equal("reason", (await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Reject(""))).ParamName);
            Assert.Equal(CaseStatus.Draft, (await caseGrain.Reject("no photo")).Status);
            Assert.Contains("cannot be approved: it is Draft", (await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Approve())).Message);
        }

        Assert.Equal("no photo", (await caseGrain.GetRecord()).ClosingReason);
        using (Admins.As(Admins.Filer)) await caseGrain.Submit();
        Assert.Equal(CaseStatus.Dispatching, (await Admins.ApproveAsync(caseGrain)).Status);
    }

    [Fact]
    public async Task Only_a_second_admin_extends_a_case_and_the_old_expiry_then_passes_without_ending_it()
    {
        var settings = new Dictionary<string, string?> { ["Alerts:CaseActiveFor"] = "01:00:00" };
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), null, settings);
        await silo.DispatchAsync("extended", Admins.Case(Around.Lat, Around.Lon, 5_000));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("extended");
        using (Admins.As(Admins.Filer))
            Assert.Contains("two-person rule", (await Assert.ThrowsAsync<AccessDeniedException>(() => caseGrain.Extend(TimeSpan.FromHours(2)))).Message);
        using (Admins.As(Admins.Approver))
        {
            Assert.Equal("activeFor", (await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Extend(TimeSpan.FromDays(8)))).ParamName);
            Assert.Contains("not after its current end", (await Assert.ThrowsAsync<ArgumentException>(() => caseGrain.Extend(TimeSpan.FromMinutes(30)))).Message);
            await caseGrain.Extend(TimeSpan.FromHours(2));
        }

        Assert.Equal(AlertsSilo.Epoch + TimeSpan.FromHours(2), (await caseGrain.GetRecord()).ActiveUntil);
        silo.Time.Advance(TimeSpan.FromMinutes(61));
        await caseGrain.AsReference<IRemindable>().ReceiveReminder("expire", new TickStatus(DateTime.UtcNow, TimeSpan.FromMinutes(1), silo.Time.GetUtcNow().UtcDateTime));
        Assert.Equal(CaseStatus.Active, (await caseGrain.GetProgress()).Status);

        // Past the old end, the cells the dispatch woke still alert late arrivals: they were told of the new end.
        await Around.ReportAsync(silo, [Around.At(900, 1_000, fixTime: silo.Time.GetUtcNow())]);
        await silo.WaitUntilCaseHasAsync("extended", [900]);
        silo.Time.Advance(TimeSpan.FromMinutes(60));
        await caseGrain.AsReference<IRemindable>().ReceiveReminder("expire", new TickStatus(DateTime.UtcNow, TimeSpan.FromMinutes(1), silo.Time.GetUtcNow().UtcDateTime));
        Assert.Equal(CaseStatus.Expired, (await caseGrain.GetProgress()).Status);
    }

    [Fact]
    public async Task A_case_whose_active_time_has_passed_cannot_be_extended_before_its_expiry_comes()
    {
        var settings = new Dictionary<string, string?> { ["Alerts:CaseActiveFor"] = "01:00:00" };
        // The window between the case's end and its expiry tick is what this test is about. Orleans arms the tick on the
        // reminders' clock when it gets to it, so on the silo's clock it could come inside the window (it did in a CI run):
        // the reminders here keep a clock of their own that stands still.
        var remindersClock = new ManualTimeProvider(AlertsSilo.Epoch);
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), null, settings,
            services => services.AddKeyedSingleton<TimeProvider>(Orleans.Reminders.ReminderTimeProviderNames.Reminders, remindersClock));
        await silo.DispatchAsync("too-late", Admins.Case(Around.Lat, Around.Lon, 5_000));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("too-late");
        // Past the end, before the expiry reminder: the case still says Active, but its cells drop it on their next report.
        silo.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(CaseStatus.Active, (await caseGrain.GetProgress()).Status);
        using (Admins.As(Admins.Approver))
        {
            var refused = await Assert.ThrowsAsync<WrongStateException>(() => caseGrain.Extend(TimeSpan.FromHours(2)));
            Assert.Equal($"case too-late cannot be extended: its active time ended at {AlertsSilo.Epoch + TimeSpan.FromHours(1):O} and it is expiring", refused.Message);
        }

        Assert.Equal(AlertsSilo.Epoch + TimeSpan.FromHours(1), (await caseGrain.GetRecord()).ActiveUntil);
    }

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task Every_move_is_audited_with_who_and_the_states_and_the_log_refuses_changes(string provider)
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh(provider));
        await Around.ReportAsync(silo, Around.Ring(1, 5, 2_000));
        await silo.SubscribeGatewayAsync();
        await silo.DispatchAsync("audited", Admins.Case(Around.Lat, Around.Lon, 5_000));
        var caseGrain = silo.Grains.GetGrain<ICaseGrain>("audited");
        using (Admins.As(Admins.Approver)) await caseGrain.Widen(6_000);
        await silo.DispatchedAsync("audited");
        using (Admins.As(Admins.Filer))
        {
            await caseGrain.Update("Now wearing a blue cap");
            await caseGrain.Resolve(null);
        }

        var entries = await silo.Grains.GetGrain<IAuditLogGrain>(0).Read("audited", 0, 100);
        Assert.Equal(["case.open", "case.submit", "case.approve", "case.widen", "case.update", "case.resolve"], entries.Select(e => e.Action));
        Assert.Equal([Admins.Filer, Admins.Filer, Admins.Approver, Admins.Approver, Admins.Filer, Admins.Filer], entries.Select(e => e.Actor));
        Assert.Equal(("AwaitingApproval", "Dispatching"), (entries[2].StateBefore, entries[2].StateAfter));
        // A live case widened goes back to dispatching: the entry names the state it left, not the one it entered twice.
        Assert.Equal(("Active", "Dispatching"), (entries[3].StateBefore, entries[3].StateAfter));
        Assert.Equal(("Active", "Resolved"), (entries[5].StateBefore, entries[5].StateAfter));
        Assert.Equal("Now wearing a blue cap", entries[4].Detail);
        Assert.All(entries, e => Assert.Equal(Roles.Admin, e.Roles));
        Assert.Equal(entries.Select(e => e.Sequence).Order(), entries.Select(e => e.Sequence));

        // No API alters or deletes it, and the database itself refuses to.
        var engine = silo.Services.GetRequiredService<StoreEngine>();
        await using var connection = await engine.OpenAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("UPDATE audit_log SET actor = 'nobody'"));
        await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("DELETE FROM audit_log"));
        Assert.Equal(entries.Count, (await silo.Grains.GetGrain<IAuditLogGrain>(0).Read("audited", 0, 100)).Count);
        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentException>(() => silo.Grains.GetGrain<IAuditLogGrain>(0).Read(null, 0, 0))).ParamName);
    }
}
