using System.CommandLine;

namespace Alerts.Cli;

/// <summary><c>alerts case show</c>: one case's status, dispatch progress and delivery.</summary>
public static class ShowCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var command = new Command("show", "Show a case: status, cells done, recipients, pushes handed to gateways and acknowledged") { id };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var view = await CaseView.LoadAsync(client, context.Get(id));
            context.Output.Write(view, view.ToTable);
        });
    }
}
