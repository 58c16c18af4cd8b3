using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace Alerts.Grains;

/// <summary>
/// A missing-child case through its life: filed as a draft, submitted, approved by a second admin, dispatched, then
/// updated, widened (by hand or on its schedule), extended, and resolved, cancelled or expired. Every admin action is
/// audited with its caller and the state before and after, its row saved with the state write that decides it until the
/// audit log has it. Dispatch, notices, the schedule and what is written beside the state live in the other parts of
/// this class (CaseGrain.Dispatch.cs, CaseGrain.Notices.cs, CaseGrain.Schedule.cs, CaseGrain.Records.cs).
/// </summary>
public sealed partial class CaseGrain(
    [PersistentState("case", StorageNames.Alerts)] IPersistentState<CaseState> state,
    CaseStore store,
    AuditStore audit,
    IOptions<AlertsOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<CaseGrain> logger) : Grain, ICaseGrain, ICaseDispatchGrain, IRemindable
{
    /// <summary>How long a watcher stays subscribed without watching again.</summary>
    public static readonly TimeSpan WatchLease = TimeSpan.FromMinutes(5);
    private readonly AlertsOptions _options = options.Value;
    private readonly ObserverManager<ICaseObserver> _watchers = new(WatchLease, logger);

    private CaseState S => state.State;

    private string CaseId => this.GetPrimaryKeyString();

    public async Task<CaseProgress> Open(CaseDefinition definition)
    {
        if (S.Status != CaseStatus.None) throw new WrongStateException($"case {CaseId} already exists ({S.Status})");
        var (circle, _) = CaseDefinitionRules.Validate(CaseId, definition, _options, time.GetUtcNow());
        // A drill is marked before anything can be sent, so its pushes never count toward anyone's fatigue limit.
        if (definition.Exercise) await store.MarkDrillAsync(CaseId);
        S.Definition = definition;
        S.RadiusMeters = circle.RadiusMeters;
        S.CurrentMessage = definition.Message;
        S.OpenedAt = time.GetUtcNow();
        S.FiledBy = Caller.Name ?? Caller.Silo;
        return await MoveAsync("case.open", CaseStatus.Draft, definition.Exercise ? "exercise" : null);
    }

    public async Task<CaseProgress> Submit()
    {
        Require("submitted", CaseStatus.Draft);
        return await MoveAsync("case.submit", CaseStatus.AwaitingApproval);
    }

    public async Task<CaseProgress> Approve()
    {
        Require("approved", CaseStatus.AwaitingApproval);
        var approver = SecondAdmin("approve");
        var before = S.Status;
        var (approvedBy, approvedAt, activeUntil) = (S.ApprovedBy, S.ApprovedAt, S.ActiveUntil);
        void Unapprove() => (S.ApprovedBy, S.ApprovedAt, S.ActiveUntil) = (approvedBy, approvedAt, activeUntil);
        S.ApprovedBy = approver;
        S.ApprovedAt = time.GetUtcNow();
        S.ActiveUntil = S.ApprovedAt.Value + _options.CaseActiveFor;
        try
        {
            // Before the approval is saved, so an approved case never lacks its clock; reminders left by an approval
            // that then fails unregister themselves when they find the case not live.
            await ScheduleExpiryAsync(_options.CaseActiveFor);
            await ScheduleNextRingAsync();
        }
        catch
        {
            Unapprove();
            throw;
        }

        return await StartPassAsync(Unapprove, new AuditedAction("case.approve", before, null));
    }

    public async Task<CaseProgress> Reject(string reason)
    {
        CaseDefinitionRules.ValidateReason(reason);
        Require("sent back", CaseStatus.AwaitingApproval);
        var reasonBefore = S.Reason;
        S.Reason = reason;
        return await MoveAsync("case.reject", CaseStatus.Draft, reason, () => S.Reason = reasonBefore);
    }

    public async Task<CaseProgress> Update(string message)
    {
        CaseDefinitionRules.ValidateMessage(message, "message");
        Require("updated", CaseStatus.Dispatching, CaseStatus.Active);
        CaseDefinitionRules.CheckPayloadSize(CasePayloads.For(CaseId, S.Definition!, NoticeKind.Update, message), "message");
        var (messageBefore, noticesBefore) = (S.CurrentMessage, S.Notices.Count);
        S.CurrentMessage = message;
        try
        {
            await IssueNoticeAsync(NoticeKind.Update, message, new AuditedAction("case.update", S.Status, message));
        }
        catch when (S.Notices.Count == noticesBefore)
        {
            S.CurrentMessage = messageBefore;
            throw;
        }

        return Progress();
    }

    public async Task<CaseProgress> Widen(double radiusMeters)
    {
        Require("widened", CaseStatus.Draft, CaseStatus.AwaitingApproval, CaseStatus.Dispatching, CaseStatus.Active);
        if (GeoValidation.CheckRadius(radiusMeters, _options.MaxRadiusMeters) is { } error) throw CaseDefinitionRules.Portable(error);
        if (radiusMeters <= S.RadiusMeters)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"radiusMeters {radiusMeters:R} ({radiusMeters / 1000:0.###} km) must be larger than the current {S.RadiusMeters:R} ({S.RadiusMeters / 1000:0.###} km)"), nameof(radiusMeters));
        var before = S.Status;
        var detail = $"{S.RadiusMeters} m → {radiusMeters} m";
        return await WidenToAsync(radiusMeters, audited: new AuditedAction("case.widen", before, detail));
    }

    public async Task<CaseProgress> Extend(TimeSpan activeFor)
    {
        if (activeFor <= TimeSpan.Zero || activeFor > _options.MaxCaseExtension)
            throw new ArgumentException($"activeFor {activeFor} must be positive and at most {_options.MaxCaseExtension}", nameof(activeFor));
        Require("extended", CaseStatus.Dispatching, CaseStatus.Active);
        var approver = SecondAdmin("extend");
        var now = time.GetUtcNow();
        // Its cells drop a case once its end has passed, and its expiry is at most a minute away: too late to extend.
        if (now >= S.ActiveUntil)
            throw new WrongStateException($"case {CaseId} cannot be extended: its active time ended at {S.ActiveUntil:O} and it is expiring");
        var until = now + activeFor;
        if (until <= S.ActiveUntil)
            throw new ArgumentException($"activeFor {activeFor} would end the case at {until:O}, not after its current end {S.ActiveUntil:O}", nameof(activeFor));
        var detail = $"active until {S.ActiveUntil:O} → {until:O} by {approver}";
        var untilBefore = S.ActiveUntil;
        S.ActiveUntil = until;
        await SaveAsync(() => S.ActiveUntil = untilBefore, new AuditedAction("case.extend", S.Status, detail));
        try
        {
            await ScheduleExpiryAsync(activeFor);
        }
        catch (Exception e)
        {
            // The extension stands: the expiry reminder still ticks every minute from the old end, and expires the case
            // only once the new one has passed.
            logger.LogWarning(e, "Case {Case}: moving its expiry reminder to {Until:O} failed; it checks every minute from the old end", CaseId, until);
        }

        await AnnounceTermsAsync();
        return Progress();
    }

    public async Task<CaseProgress> Resolve(string? closingMessage)
    {
        var message = closingMessage ?? CasePayloads.DefaultClosingMessage(S.Definition?.Language ?? "en");
        CaseDefinitionRules.ValidateMessage(message, "closingMessage");
        Require("resolved", CaseStatus.Dispatching, CaseStatus.Active);
        CaseDefinitionRules.CheckPayloadSize(CasePayloads.For(CaseId, S.Definition!, NoticeKind.Resolved, message), "closingMessage");
        await EndAsync(CaseStatus.Resolved, (NoticeKind.Resolved, message), new AuditedAction("case.resolve", S.Status, message));
        return Progress();
    }

    public async Task<CaseProgress> Cancel(string reason)
    {
        CaseDefinitionRules.ValidateReason(reason);
        Require("cancelled", CaseStatus.Draft, CaseStatus.AwaitingApproval, CaseStatus.Dispatching, CaseStatus.Active);
        var before = S.Status;
        var reasonBefore = S.Reason;
        S.Reason = reason;
        // The correction was written when the case was filed: it goes out once the unsent batches are withdrawn, to
        // everyone the alert reached. EndAsync throws only when nothing was saved.
        try
        {
            await EndAsync(CaseStatus.Cancelled, (NoticeKind.Cancelled, S.Definition!.Correction!), new AuditedAction("case.cancel", before, reason));
        }
        catch
        {
            S.Reason = reasonBefore;
            throw;
        }

        return Progress();
    }

    public Task<CaseProgress> GetProgress() => Task.FromResult(Progress());

    public async Task<CaseRecord> GetRecord()
    {
        ThrowIfMissing();
        var sent = S.Notices.Count == 0 ? [] : await store.NoticeProgressAsync(CaseId);
        var notices = S.Notices.Select(n => sent.TryGetValue(n.Number, out var p) ? n with { Sent = p.Sent, Done = p.Done } : n).ToList();
        return new CaseRecord(CaseId, S.Status, S.Definition!, S.RadiusMeters, S.FiledBy, S.OpenedAt, S.ApprovedBy, S.ApprovedAt,
            S.ApprovedAt is null ? null : S.ActiveUntil, S.Reason, notices, S.RingsFired, S.Recipients, S.Suppressed);
    }

    public async Task<TimeSpan> Watch(ICaseObserver observer)
    {
        if (observer is null) throw new ArgumentException("observer is missing", nameof(observer));
        _watchers.Subscribe(observer, observer);
        await observer.ProgressChanged(Progress());
        return WatchLease;
    }

    // The two-person rule: the admin who filed a case may not be the one who lets it reach the public (or keeps it there).
    private string SecondAdmin(string action)
    {
        var caller = Caller.Name ?? throw new AccessDeniedException($"only a signed-in admin may {action} case {CaseId}");
        if (string.Equals(caller, S.FiledBy, StringComparison.Ordinal))
            throw new AccessDeniedException($"{caller} filed case {CaseId} and may not {action} it: a second admin must (two-person rule)");
        return caller;
    }

    private void Require(string action, params CaseStatus[] allowed)
    {
        ThrowIfMissing();
        if (!allowed.Contains(S.Status))
            throw new WrongStateException($"case {CaseId} cannot be {action}: it is {S.Status} (allowed from {string.Join(" or ", allowed)})");
    }

    // A case nobody filed is "not found", not "in the wrong state": consoles and scripts tell the two apart.
    private void ThrowIfMissing()
    {
        if (S.Status is CaseStatus.None) throw new KeyNotFoundException($"no case named {CaseId}");
    }

    private async Task<CaseProgress> MoveAsync(string action, CaseStatus to, string? detail = null, Action? undoIfUnwritten = null)
    {
        var before = S.Status;
        S.Status = to;
        await SaveAsync(() =>
        {
            S.Status = before;
            undoIfUnwritten?.Invoke();
        }, new AuditedAction(action, before, detail));
        return Progress();
    }

    private bool IsActive => S.Status is CaseStatus.Dispatching or CaseStatus.Active;

    private ActiveCase ActiveCase() => new(CaseId, S.Definition!.Latitude, S.Definition.Longitude, S.RadiusMeters, S.ActiveUntil);

    private CaseProgress Progress() => new(CaseId, S.Status, S.RadiusMeters, S.CellsDone, S.CellsTotal, S.Recipients) { Suppressed = S.Suppressed, NoticesPending = S.Notices.Count - S.NoticesDone };

    // undoIfUnwritten puts back what the caller changed when the state could not be written: nothing was decided, and
    // the admin's retry finds the case as it was. Once written the change stands, and so does the audit row of the action
    // it decides, saved in the same write; the index and audit rows that follow are retried if they fail
    // (CaseGrain.Records.cs), never thrown.
    private async Task SaveAsync(Action? undoIfUnwritten = null, AuditedAction? audited = null)
    {
        var unowe = audited is { } action ? OweAudit(action) : null;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            unowe?.Invoke();
            // A write refused because the stored state is not the one this activation holds (an earlier write that failed
            // here may have landed) also ends the activation (Orleans does so on InconsistentStateException): the next
            // call reads what is stored and resumes from it.
            undoIfUnwritten?.Invoke();
            throw;
        }

        _auditWrittenUnsaved = false;
        await IndexAsync();
        NotifyWatchers();
    }

    private void NotifyWatchers()
    {
        // One-way calls: a watcher that went away simply lapses when its lease ends.
        var progress = Progress();
        _watchers.ClearExpired();
        _watchers.Notify(w => w.ProgressChanged(progress));
    }
}
