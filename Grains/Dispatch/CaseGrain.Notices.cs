using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// Notices: an update, the closing message or the correction goes to everyone the case had reached when it was issued,
/// once each. The notice table holds each notice's cursor, moved in the same transaction that writes its batches, so a
/// crash repeats nothing; the grain calls itself between steps, as dispatch does.
/// </summary>
public sealed partial class CaseGrain
{
    // True while a ContinueNotices of this activation is queued or running.
    private bool _noticing;
    private IGrainTimer? _noticeRetry;

    public async Task ContinueNotices()
    {
        _noticing = false;
        // An ending case sends nothing until its end is finished (a cancel's correction only after the withdrawal).
        if (S.Ending || S.NoticesDone >= S.Notices.Count) return;
        var next = S.Notices[S.NoticesDone];
        try
        {
            // The row may be missing if the activation that issued the notice died right after saving it.
            await store.CreateNoticeAsync(CaseId, next.Number, NoticePayload(next), next.CoversUntil);
            // An update whose row came only now, after the case ended, was overtaken by the end as the others were.
            if (next.Kind == NoticeKind.Update && !IsActive) await store.AbandonNoticeAsync(CaseId, next.Number);
            var step = await store.SendNoticeStepAsync(CaseId, next.Number, _options.NoticeUsersPerStep, _options.PushBatchSize, time.GetUtcNow());
            if (step.Batches.Count > 0) await GrainFactory.GetGrain<IPushOutboxGrain>(0).Enqueue(step.Batches);
            if (step.Done)
            {
                S.NoticesDone++;
                // Unwritten, the notice is not done here either: the retry takes its (finished) step again.
                await SaveAsync(() => S.NoticesDone--);
                logger.LogInformation("Case {Case}: notice {Number} ({Kind}) went to {Sent} users", CaseId, next.Number, next.Kind, step.Sent);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: a notice step failed; retrying in {Delay}", CaseId, _options.DispatchRetryDelay);
            _noticeRetry?.Dispose();
            _noticing = true;
            _noticeRetry = this.RegisterGrainTimer(async _ =>
            {
                _noticeRetry?.Dispose();
                _noticeRetry = null;
                await ContinueNotices();
            }, _options.DispatchRetryDelay, Timeout.InfiniteTimeSpan);
            return;
        }

        NotifyWatchers();
        await StartNoticesAsync();
    }

    // Writes the notice into the case's state first (what was decided survives a crash), then its row, then sends it. A
    // failed write takes the notice back, so the admin's retry issues it once; once written it is sent whatever follows.
    private async Task IssueNoticeAsync(NoticeKind kind, string message, AuditedAction audited)
    {
        var notice = await NewNoticeAsync(kind, message);
        await SaveAsync(undoIfUnwritten: AddNotice(notice), audited);
        try
        {
            await store.CreateNoticeAsync(CaseId, notice.Number, NoticePayload(notice), notice.CoversUntil);
        }
        catch (Exception e)
        {
            // Each step writes the row first if it is missing; this one only lets recovery find the notice sooner.
            logger.LogWarning(e, "Case {Case}: writing notice {Number}'s row failed; its first step writes it", CaseId, notice.Number);
        }

        await StartNoticesAsync();
    }

    // A notice that covers everyone recorded so far, by this activation or (after a failover) by one whose clock ran ahead.
    private async Task<CaseNotice> NewNoticeAsync(NoticeKind kind, string message)
    {
        var coversUntil = RecordingTime();
        if (await store.LatestRecordingAsync(CaseId) is { } latest && latest > coversUntil) coversUntil = latest;
        return new CaseNotice(S.Notices.Count + 1, kind, message, time.GetUtcNow(), Caller.Name ?? Caller.Silo, coversUntil);
    }

    // Adds the notice to the state; returns what takes it back if the state cannot be written.
    private Action AddNotice(CaseNotice notice)
    {
        var lastNoticeAt = S.LastNoticeAt;
        S.Notices.Add(notice);
        S.LastNoticeAt = notice.CoversUntil;
        return () =>
        {
            S.Notices.Remove(notice);
            S.LastNoticeAt = lastNoticeAt;
        };
    }

    private async Task StartNoticesAsync()
    {
        if (_noticing || S.Ending || S.NoticesDone >= S.Notices.Count) return;
        _noticing = true;
        await Self.ContinueNotices();
    }

    private AlertPayload NoticePayload(CaseNotice notice) => CasePayloads.For(CaseId, S.Definition!, notice.Kind, notice.Message);
}
