using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// A case's end (resolved, cancelled, expired): the outcome and the notice it owes are saved in one write with
/// <see cref="CaseState.Ending"/> set; then a cancel's unsent batches are withdrawn, the closing notice's row written and
/// the notice started, and the cells, the registry and the reminders let the case go. What fails is tried again by a
/// timer, and what a dying activation left undone by the next one, so an acknowledged cancel always sends its correction.
/// </summary>
public sealed partial class CaseGrain
{
    private IGrainTimer? _endingRetry;

    // No more steps, rings or late arrivals. Users who arrived while it was live still get the alert, unless it is being
    // cancelled: a false alarm must not reach one more phone.
    // Nothing changes in memory until the write has succeeded: a failed write leaves the case as it was, to be ended again.
    private async Task EndAsync(CaseStatus outcome, (NoticeKind Kind, string Message)? owed = null, AuditedAction? audited = null)
    {
        var wasActive = IsActive;
        if (wasActive && outcome != CaseStatus.Cancelled) await RecordLateArrivalsAsync(fullBatchesOnly: false);
        var notice = owed is { } o && S.Recipients > 0 ? await NewNoticeAsync(o.Kind, o.Message) : null;
        var (status, generation) = (S.Status, S.Generation);
        S.Status = outcome;
        S.Generation++;
        S.Ending = wasActive;
        var takeBack = notice is null ? null : AddNotice(notice);
        await SaveAsync(undoIfUnwritten: () =>
        {
            (S.Status, S.Generation, S.Ending) = (status, generation, false);
            takeBack?.Invoke();
        }, audited);

        ForgetLateArrivals();
        if (wasActive) await FinishEndingAsync();
    }

    // Each part may run again (after a failure, or in the next activation): every one is harmless when repeated.
    private async Task FinishEndingAsync()
    {
        if (!S.Ending) return;
        _endingRetry?.Dispose();
        _endingRetry = null;
        try
        {
            foreach (var update in S.Notices.Where(n => n.Kind == NoticeKind.Update)) await store.AbandonNoticeAsync(CaseId, update.Number);
            // Before the correction can start: the users of withdrawn batches were never reached, and leave the recipients.
            if (S.Status == CaseStatus.Cancelled) await WithdrawUnsentAsync();
            // The closing notice's row before the index says the case is closed: recovery finds a closed case only by it.
            if (S.NoticesDone < S.Notices.Count && S.Notices[^1] is { Kind: not NoticeKind.Update } closing)
                await store.CreateNoticeAsync(CaseId, closing.Number, NoticePayload(closing), closing.CoversUntil);
            S.Ending = false;
            await SaveAsync();
        }
        catch (Exception e)
        {
            // Every part is done again (each is harmless repeated); the index follows the save that succeeds.
            S.Ending = true;
            logger.LogWarning(e, "Case {Case}: finishing its end ({Status}) failed; retrying in {Delay}", CaseId, S.Status, _options.DispatchRetryDelay);
            RetryEndingLater(_options.DispatchRetryDelay);
            return;
        }

        await StartNoticesAsync();
        await ReleaseAsync();
    }

    // Keeps the activation alive while it waits; were it collected all the same, the expiry reminder wakes the case
    // again, and its activation retries at once.
    private void RetryEndingLater(TimeSpan due)
    {
        _endingRetry?.Dispose();
        _endingRetry = this.RegisterGrainTimer(_ => FinishEndingAsync(), new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    // Withdraws batches no gateway has taken. If the hub cannot be reached the cancel still stands and the correction goes
    // to everyone recorded. The recipients are counted afresh: a withdrawal repeated after a crash withdraws nothing more.
    private async Task WithdrawUnsentAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IPushOutboxGrain>(0).Withdraw(CaseId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: withdrawing its unsent batches failed; they go out, and the correction follows them", CaseId);
        }

        S.Recipients = await store.CountRecipientsAsync(CaseId);
    }

    // Best effort: a cell that still holds the case reports arrivals the case no longer takes, and drops it once its
    // active time has passed; the registry offers a case only until then; a reminder of a closed case unregisters itself.
    private async Task ReleaseAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IActiveCasesGrain>(0).Unregister(CaseId);
            foreach (var chunk in Blocks().Chunk(64))
                await Task.WhenAll(chunk.Select(b => GrainFactory.GetCell(b.Block).EndCase(CaseId)));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: not every cell could be told it ended; they drop it when its active time ends", CaseId);
        }

        try
        {
            await UnscheduleAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Case {Case}: its reminders could not be removed; each unregisters itself when it fires", CaseId);
        }
    }
}
