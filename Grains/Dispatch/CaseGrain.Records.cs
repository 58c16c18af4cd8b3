using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// What a case writes beside its state: its row in the index of cases by status (which recovery and listings read) and
/// its audit rows. Both follow the state write that decided an action, so neither may undo it or tell the admin it
/// failed (a retried update would reach everyone twice): a failure is logged and the row written again by a timer,
/// audit rows in the order they were made.
/// </summary>
public sealed partial class CaseGrain
{
    private readonly List<AuditRow> _owedAudit = [];
    private bool _indexOwed;
    private IGrainTimer? _recordsRetry;

    private Task AuditAsync(string action, CaseStatus before, string? detail)
    {
        _owedAudit.Add(AuditRow.OfCaller(time.GetUtcNow(), action, CaseId, before.ToString(), S.Status.ToString(), detail));
        return WriteOwedRecordsAsync();
    }

    private Task IndexAsync()
    {
        _indexOwed = true;
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
            while (_owedAudit.Count > 0)
            {
                await audit.AppendAsync(_owedAudit[0]);
                _owedAudit.RemoveAt(0);
            }
        }
        catch (Exception e)
        {
            failed = true;
            logger.LogWarning(e, "Case {Case}: {Count} audit rows (first: {Action} by {Actor}) not yet written; retrying in {Delay}",
                CaseId, _owedAudit.Count, _owedAudit[0].Action, _owedAudit[0].Actor, _options.DispatchRetryDelay);
        }

        if (failed && retryLater && _recordsRetry is null)
        {
            // Keeps the activation alive: the owed rows live only in it.
            _recordsRetry = this.RegisterGrainTimer(async _ =>
            {
                _recordsRetry?.Dispose();
                _recordsRetry = null;
                await WriteOwedRecordsAsync();
            }, new GrainTimerCreationOptions(_options.DispatchRetryDelay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    // A last try as the activation goes; rows still owed then are lost with it, and say so.
    private async Task WriteOwedRecordsAtDeactivationAsync()
    {
        if (!_indexOwed && _owedAudit.Count == 0) return;
        await WriteOwedRecordsAsync(retryLater: false);
        foreach (var row in _owedAudit)
            logger.LogError("Case {Case}: audit row lost as the case deactivated: {Action} by {Actor} at {At:O} ({Before} → {After}, {Detail})",
                CaseId, row.Action, row.Actor, row.At, row.StateBefore, row.StateAfter, row.Detail);
        if (_indexOwed) logger.LogError("Case {Case}: the case index still lacks its status {Status}; it is written at the case's next save", CaseId, S.Status);
    }
}
