using Alerts.Client;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>Reads a case's figures at a steady pace and reports each change until a condition holds or it is cancelled; rides out a lost connection.</summary>
/// <param name="load">Reads the case's view (with its engagement figures when given true).</param>
public sealed class CaseFollower(Func<bool, Task<CaseView>> load, TimeSpan refresh, Func<CaseView, bool> done)
{
    /// <summary>A follower of case <paramref name="caseId"/> through <paramref name="client"/>.</summary>
    public CaseFollower(AlertsClient client, string caseId, TimeSpan refresh, Func<CaseView, bool> done)
        : this(withEngagement => CaseView.LoadAsync(client, caseId, withEngagement), refresh, done)
    {
    }

    // Engagement figures add up every shard's maps: read them every couple of seconds, not at every refresh.
    private static readonly TimeSpan EngagementRefresh = TimeSpan.FromSeconds(2);

    /// <summary>Reports <paramref name="first"/>, then every changed view (with a note while the cluster does not answer); returns the last view.</summary>
    public async Task<CaseView> RunAsync(CaseView first, Action<CaseView, string?> report, CancellationToken cancellationToken)
    {
        var last = first;
        report(last, null);
        using var timer = new PeriodicTimer(refresh);
        var engagementDue = DateTime.UtcNow;
        // The last report repeated old figures with a note: the next answer is reported even if nothing changed.
        var stale = false;
        try
        {
            while (!done(last) && await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var withEngagement = DateTime.UtcNow >= engagementDue;
                    var view = await load(withEngagement).WaitAsync(cancellationToken);
                    if (withEngagement) engagementDue = DateTime.UtcNow + EngagementRefresh;
                    else view = view with { Engagement = last.Engagement };
                    if (view != last || stale) report(view, null);
                    last = view;
                    stale = false;
                }
                catch (Exception e) when (e is not (KeyNotFoundException or AccessDeniedException or OperationCanceledException))
                {
                    // A silo restarting or failing over: keep showing the last figures and try again next tick.
                    report(last, $"no answer from the cluster ({e.GetType().Name}); retrying");
                    stale = true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return last;
    }
}
