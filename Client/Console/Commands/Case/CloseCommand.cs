using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case close</c>: ends a case as resolved (found) or cancelled; no more pushes.</summary>
public static class CloseCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var outcome = new Option<string>("--outcome") { Description = "resolved (the child was found) or cancelled", Required = true };
        outcome.AcceptOnlyFromAmong("resolved", "cancelled");
        var command = new Command("close", "End the case: no more pushes, late arrivals are no longer alerted") { id, outcome };
        return command.Runs(connection, async context =>
        {
            var status = context.Get(outcome) == "resolved" ? CaseStatus.Resolved : CaseStatus.Cancelled;
            await using var client = await context.ConnectAsync();
            await client.GetGrain<ICaseGrain>(context.Get(id)).Close(status);
            var view = await CaseView.LoadAsync(client, context.Get(id));
            context.Output.Write(view, $"case {view.CaseId} is {view.Status.ToString().ToLowerInvariant()}");
        });
    }
}
