using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case dispatch</c>: starts pushing the case to everyone inside its circle.</summary>
public static class DispatchCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var command = new Command("dispatch", "Start sending the case to every user inside its circle (returns at once; follow it with `case watch`)") { id };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            await client.GetGrain<ICaseGrain>(context.Get(id)).Dispatch();
            var view = await CaseView.LoadAsync(client, context.Get(id));
            context.Output.Write(view, $"case {view.CaseId} is {view.Status.ToString().ToLowerInvariant()}: {view.CellsTotal:N0} cells to visit. Follow it with: alerts case watch {view.CaseId}");
        });
    }
}
