using System.CommandLine;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary>
/// <c>alerts case watch</c>: a live view that redraws in place until the case settles (dispatched and every
/// push acknowledged, or closed), the timeout passes, or Ctrl-C. Without a terminal (or with <c>--json</c>)
/// it prints a line (a JSON line) each time the figures change, so scripts and logs can follow it too.
/// </summary>
public static class WatchCommand
{
    /// <summary>The longest wait a timer or a cancellation takes: 2^32 - 2 milliseconds, about 49.7 days.</summary>
    public const int MaxTimeoutSeconds = 4_294_967;

    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var until = new Option<string>("--until") { Description = "delivered: until every push is acknowledged (default); dispatched: until every cell is done", DefaultValueFactory = _ => "delivered" };
        until.AcceptOnlyFromAmong("delivered", "dispatched");
        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (exit code 7)" };
        var refresh = new Option<int>("--refresh-ms") { Description = "How often to read the figures, in milliseconds (50-10,000)", DefaultValueFactory = _ => 250 };
        var command = new Command("watch", "Follow a case live: dispatch progress, cells, recipients, pushes handed to gateways and acknowledged, deliveries, opens, shares and sightings") { id, until, timeout, refresh };
        return command.Runs(connection, async context =>
        {
            if (context.Get(refresh) is < 50 or > 10_000) throw new ConsoleFailure(ExitCodes.BadInput, $"--refresh-ms {context.Get(refresh)} is invalid: must be within [50, 10000]");
            if (context.Get(timeout) is <= 0 or > MaxTimeoutSeconds)
                throw new ConsoleFailure(ExitCodes.BadInput, $"--timeout {context.Get(timeout)} is invalid: must be more than 0 and at most {MaxTimeoutSeconds} seconds (49 days)");
            var caseId = context.Get(id);
            var stopAt = context.Get(until) == "dispatched"
                ? (Func<CaseView, bool>)(v => v.Status is not (CaseStatus.Draft or CaseStatus.AwaitingApproval or CaseStatus.Dispatching))
                : v => v.Settled;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            if (context.Get(timeout) is { } seconds) deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
            // The deadline bounds connecting and the first read too: a cluster that does not answer held the watch past
            // --timeout (or for ever), where a script waits for exit code 7.
            async Task<T> WithinTimeoutAsync<T>(Func<CancellationToken, Task<T>> step)
            {
                try
                {
                    return await step(deadline.Token);
                }
                catch (Exception e) when (deadline.IsCancellationRequested && !context.Cancellation.IsCancellationRequested)
                {
                    throw new ConsoleFailure(ExitCodes.TimedOut, NotSettled(caseId, context.Get(timeout)), e);
                }
            }

            await using var client = await WithinTimeoutAsync(token => context.ConnectAsync(token));
            var first = await WithinTimeoutAsync(token => CaseView.LoadAsync(client, caseId, engagement: true).WaitAsync(token));
            var follow = new CaseFollower(client, caseId, TimeSpan.FromMilliseconds(context.Get(refresh)), stopAt);
            var interactive = !context.Output.IsJson && context.Output.Terminal.Profile.Capabilities.Interactive;
            CaseView last;
            if (interactive)
            {
                last = first;
                await context.Output.Terminal.Live(first.ToLiveView()).AutoClear(false).StartAsync(async live =>
                {
                    last = await follow.RunAsync(first, (view, note) =>
                    {
                        live.UpdateTarget(note is null ? view.ToLiveView() : new Rows(view.ToLiveView(), new Text(note)));
                        live.Refresh();
                    }, deadline.Token);
                });
            }
            else
            {
                last = await follow.RunAsync(first, (view, note) =>
                {
                    if (context.Output.IsJson) ConsoleOutput.WriteJson(CaseView.Watched(view, note), indented: false);
                    else System.Console.WriteLine(note ?? Line(view));
                }, deadline.Token);
            }

            if (stopAt(last)) return ExitCodes.Ok;
            if (context.Cancellation.IsCancellationRequested) return ExitCodes.Interrupted;
            System.Console.Error.WriteLine($"alerts: {NotSettled(caseId, context.Get(timeout))}");
            return ExitCodes.TimedOut;
        });
    }

    private static string NotSettled(string caseId, int? timeout) => $"case {caseId} did not settle within {timeout} s";

    private static string Line(CaseView v) =>
        $"{v.CaseId} {CaseView.StatusName(v.Status)}: cells {v.CellsDone}/{v.CellsTotal}, recipients {v.Recipients}, handed {v.HandedToGateways}, acknowledged {v.Acknowledged}{Engagement(v.Engagement)}{(v.Settled ? ", settled" : "")}";

    private static string Engagement(WatchedEngagement? e) => e is null ? "" : $", delivered {e.Delivered}, opened {e.Opened}, shares {e.Shares}, sightings {e.Sightings}";
}
