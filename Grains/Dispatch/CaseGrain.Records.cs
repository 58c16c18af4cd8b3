using Alerts.GrainInterfaces;
using Microsoft.Extensions.Logging;

namespace Alerts.Grains;

/// <summary>
/// What a case writes beside its state: its row in the index of cases by status (which recovery and listings read), its
/// audit rows, and its terms as the registry and the cells know them. All follow the state write that decided an action,
/// so none may undo it or tell the admin it failed (a retried update would reach everyone twice): a failure is logged
/// and the write made again by a timer, audit rows in the order they were made.
/// </summary>
public sealed partial class CaseGrain
{
    private readonly List<AuditRow> _owedAudit = [];
    private bool _indexOwed;
    private bool _termsOwed;
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
        if (!_indexOwed && !_termsOwed && _owedAudit.Count == 0) return;
        await WriteOwedRecordsAsync(retryLater: false);
        foreach (var row in _owedAudit)
            logger.LogError("Case {Case}: audit row lost as the case deactivated: {Action} by {Actor} at {At:O} ({Before} → {After}, {Detail})",
                CaseId, row.Action, row.Actor, row.At, row.StateBefore, row.StateAfter, row.Detail);
        if (_indexOwed) logger.LogError("Case {Case}: the case index still lacks its status {Status}; it is written at the case's next save", CaseId, S.Status);
        if (_termsOwed && IsActive) logger.LogError("Case {Case}: the registry or some cells still hold its old end; they learn {Until:O} when it is next woken (Resume registers it again)", CaseId, S.ActiveUntil);
    }
}
