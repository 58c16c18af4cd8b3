using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// What a case writes beside its state: its row in the index of cases by status (which recovery and listings read), its
/// audit rows, and its terms as the registry and the cells know them. All follow the state write that decided an action,
/// so none may undo it or tell the admin it failed (a retried update would reach everyone twice): a failure is logged
/// and the write made again by a timer, audit rows in the order they were made. Audit rows are owed in the state itself,
/// saved by the write that decided their action: a silo that dies before they are written leaves them to the next
/// activation, which sends them first; each has a key of its own (the case and its number), so a row sent again after
/// it was written is not written twice.
/// </summary>
public sealed partial class CaseGrain
{
    private bool _indexOwed;
    private bool _termsOwed;
    // Audit rows have been written since the state that lists them as owed was saved: a write of the state drops them.
    private bool _auditWrittenUnsaved;
    private IGrainTimer? _recordsRetry;

    // The action's row joins the owed ones in the state about to be written, with the status that write saves; what is
    // returned takes it back if the write fails (the action was not made, and its retry makes a row of the same number).
    private Action OweAudit(AuditedAction action)
    {
        S.AuditRows++;
        var row = AuditRow.OfCaller(time.GetUtcNow(), action.Name, CaseId, action.Before.ToString(), S.Status.ToString(), action.Detail) with
        {
            Key = $"case:{CaseId}#{S.AuditRows}",
        };
        S.OwedAudit.Add(row);
        return () =>
        {
            S.OwedAudit.Remove(row);
            S.AuditRows--;
        };
    }

    private Task IndexAsync()
    {
        _indexOwed = true;
        return WriteOwedRecordsAsync();
    }

    // Cells judge late arrivals by the case's end and drop the case once it has passed: an extended case's cells learn the
    // new end, the active ones now, the others from the registry when they activate. Until both have, cells would drop
    // the case at its old end and nobody moving into the circle after it would be alerted.
    private Task AnnounceTermsAsync()
    {
        _termsOwed = true;
        return WriteOwedRecordsAsync();
    }

    // Never throws: what is not written now is left owed for the timer (none is armed for a deactivating activation).
    private async Task WriteOwedRecordsAsync(bool retryLater = true)
    {
        var failed = false;
        try
        {
            // An ending case keeps its last live status in the index until its end is complete; the end's last save writes it.
            if (_indexOwed && !S.Ending) await store.SetCaseStatusAsync(CaseId, S.Status, time.GetUtcNow());
            _indexOwed = false;
        }
        catch (Exception e)
        {
            failed = true;
            logger.LogWarning(e, "Case {Case}: writing its status ({Status}) to the case index failed; retrying in {Delay}", CaseId, S.Status, _options.DispatchRetryDelay);
        }

        try
        {
            // An ended case has let its cells and the registry go: nothing to tell them.
            if (_termsOwed && IsActive)
            {
                var terms = ActiveCase();
                await GrainFactory.GetGrain<IActiveCasesGrain>(0).Register(terms);
                foreach (var chunk in Blocks().Chunk(64))
                    await Task.WhenAll(chunk.Select(b => GrainFactory.GetCell(b.Block).TrackCase(terms)));
            }

            _termsOwed = false;
        }
        catch (Exception e)
        {
            failed = true;
            logger.LogWarning(e, "Case {Case}: telling the registry and its cells its end ({Until:O}) failed; retrying in {Delay}", CaseId, S.ActiveUntil, _options.DispatchRetryDelay);
        }

        try
        {
            while (S.OwedAudit.Count > 0)
            {
                await audit.AppendAsync(S.OwedAudit[0]);
                S.OwedAudit.RemoveAt(0);
                _auditWrittenUnsaved = true;
            }

            // Sent again they would be written once, but a case that is not saved again soon (a draft waiting for its
            // approval, an ended case) would send them at each activation.
            if (_auditWrittenUnsaved)
            {
                await state.WriteStateAsync();
                _auditWrittenUnsaved = false;
            }
        }
        catch (Exception e) when (S.OwedAudit.Count > 0)
        {
            failed = true;
            logger.LogWarning(e, "Case {Case}: {Count} audit rows (first: {Action} by {Actor}) not yet written; retrying in {Delay}",
                CaseId, S.OwedAudit.Count, S.OwedAudit[0].Action, S.OwedAudit[0].Actor, _options.DispatchRetryDelay);
        }
        catch (Exception e)
        {
            failed = true;
            logger.LogWarning(e, "Case {Case}: its saved state still lists audit rows already written (sent again they are written once); retrying in {Delay}",
                CaseId, _options.DispatchRetryDelay);
        }

        if (failed && retryLater && _recordsRetry is null)
        {
            // Keeps the activation alive: the owed index row and terms live only in it (audit rows wait in the state too).
            _recordsRetry = this.RegisterGrainTimer(async _ =>
            {
                _recordsRetry?.Dispose();
                _recordsRetry = null;
                await WriteOwedRecordsAsync();
            }, new GrainTimerCreationOptions(_options.DispatchRetryDelay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    // A last try as the activation goes. Audit rows still owed wait in the saved state for the next activation.
    private async Task WriteOwedRecordsAtDeactivationAsync()
    {
        if (!_indexOwed && !_termsOwed && S.OwedAudit.Count == 0 && !_auditWrittenUnsaved) return;
        await WriteOwedRecordsAsync(retryLater: false);
        if (S.OwedAudit.Count > 0)
            logger.LogWarning("Case {Case}: {Count} audit rows (first: {Action} by {Actor} at {At:O}) still owed as the case deactivates; its next activation writes them",
                CaseId, S.OwedAudit.Count, S.OwedAudit[0].Action, S.OwedAudit[0].Actor, S.OwedAudit[0].At);
        if (_indexOwed) logger.LogError("Case {Case}: the case index still lacks its status {Status}; it is written at the case's next save", CaseId, S.Status);
        if (_termsOwed && IsActive) logger.LogError("Case {Case}: the registry or some cells still hold its old end; they learn {Until:O} when it is next woken (Resume registers it again)", CaseId, S.ActiveUntil);
    }
}
