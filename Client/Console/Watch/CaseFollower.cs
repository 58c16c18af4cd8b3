using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>Reads a case's figures at a steady pace and reports each change until a condition holds or it is cancelled; rides out a lost connection.</summary>
public sealed class CaseFollower(AlertsClient client, string caseId, TimeSpan refresh, Func<CaseView, bool> done)
{
    /// <summary>Reports <paramref name="first"/>, then every changed view (with a note while the cluster does not answer); returns the last view.</summary>
    public async Task<CaseView> RunAsync(CaseView first, Action<CaseView, string?> report, CancellationToken cancellationToken)
    {
        var last = first;
        report(last, null);
        using var timer = new PeriodicTimer(refresh);
        try
        {
            while (!done(last) && await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var view = await CaseView.LoadAsync(client, caseId).WaitAsync(cancellationToken);
                    if (view != last) report(view, null);
                    last = view;
                }
                catch (Exception e) when (e is not (KeyNotFoundException or AccessDeniedException or OperationCanceledException))
                {
                    // A silo restarting or failing over: keep showing the last figures and try again next tick.
                    report(last, $"no answer from the cluster ({e.GetType().Name}); retrying");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return last;
    }
}
