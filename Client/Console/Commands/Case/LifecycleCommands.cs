using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>
/// The case's moves after filing, one command each: submit, approve (a second admin), reject, update, extend (a second
/// admin), resolve and cancel. Each prints the case's new state, or one line saying why the move was refused.
/// </summary>
public static class LifecycleCommands
{
    /// <summary>Every lifecycle command.</summary>
    public static IEnumerable<Command> Create(ConnectionOptions connection) =>
    [
        Move(connection, "submit", "Ask for approval: draft → awaiting approval", [], (c, _) => c.Submit(),
            v => $"case {v.CaseId} awaits approval. A second admin sends it with: alerts case approve {v.CaseId}"),
        Move(connection, "approve", "Approve and send (awaiting approval → dispatching); the admin who filed the case may not", [], (c, _) => c.Approve(),
            v => $"case {v.CaseId} approved and {Status(v)}: {v.CellsTotal:N0} cells to visit. Follow it with: alerts case watch {v.CaseId}"),
        WithText(connection, "reject", "Send the case back to its filer as a draft", "--reason", "Why (1-500 characters)", (c, reason) => c.Reject(reason),
            v => $"case {v.CaseId} sent back: {Status(v)}"),
        WithText(connection, "update", "Send a new message to everyone already reached (once each); users reached later get it instead", "--message", "The new alert text (1-360 characters)",
            (c, message) => c.Update(message), v => $"case {v.CaseId} updated: the new message goes to the {v.Recipients:N0} users reached"),
        Extend(connection),
        Resolve(connection),
        WithText(connection, "cancel", "Withdraw the case: a dispatch stops, and everyone reached gets the correction prepared when it was filed", "--reason", "Why (1-500 characters)",
            (c, reason) => c.Cancel(reason), v => $"case {v.CaseId} cancelled{(v.Recipients > 0 ? $": the correction goes to the {v.Recipients:N0} users reached" : ": nothing had been sent")}"),
    ];

    private static Command Extend(ConnectionOptions connection)
    {
        var hours = new Option<double>("--hours") { CustomParser = NumberOption.Parse, Description = "Keep the case active for this many hours from now", Required = true };
        return Move(connection, "extend", "Keep an active case active for longer (a second admin, not the filer)", [hours],
            (c, context) =>
            {
                var value = context.Get(hours);
                if (!double.IsFinite(value) || value <= 0 || value >= TimeSpan.MaxValue.TotalHours)
                    throw new ConsoleFailure(ExitCodes.BadInput, $"--hours {value} is invalid: must be more than 0 and a time span can hold");
                return c.Extend(TimeSpan.FromHours(value));
            },
            v => $"case {v.CaseId} extended; status {Status(v)}");
    }

    private static Command Resolve(ConnectionOptions connection)
    {
        var message = new Option<string?>("--message") { Description = "The closing message to everyone reached (default: a short thank-you in the case's language)" };
        return Move(connection, "resolve", "The child was found: stop the case and send a short closing message to everyone reached", [message],
            (c, context) => c.Resolve(context.Get(message)),
            v => $"case {v.CaseId} resolved{(v.Recipients > 0 ? $": the closing message goes to the {v.Recipients:N0} users reached" : ": nothing had been sent, so no closing message goes out")}");
    }

    private static Command WithText(ConnectionOptions connection, string name, string description, string option, string optionDescription,
        Func<ICaseGrain, string, Task<CaseProgress>> call, Func<CaseView, string> done)
    {
        var text = new Option<string>(option) { Description = optionDescription, Required = true };
        return Move(connection, name, description, [text], (c, context) => call(c, context.Get(text)!), done);
    }

    private static Command Move(ConnectionOptions connection, string name, string description, Option[] options,
        Func<ICaseGrain, CommandContext, Task<CaseProgress>> call, Func<CaseView, string> done)
    {
        var id = CaseArguments.Id();
        var command = new Command(name, description) { id };
        foreach (var option in options) command.Add(option);
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var caseId = context.Get(id);
            var moved = await ConsoleFailure.UnlessNoAnswerAsync(() => call(client.GetGrain<ICaseGrain>(caseId), context), $"case {name} {caseId}", $"alerts case show {caseId}");
            var view = await context.AfterMoveAsync(client, moved);
            context.Output.Write(view, done(view));
        });
    }

    private static string Status(CaseView view) => CaseView.StatusName(view.Status);
}
