using System.CommandLine;

namespace Alerts.Cli;

/// <summary>Runs a command's body and turns whatever it throws into one line on standard error and an exit code.</summary>
public static class CommandActions
{
    /// <summary>Sets <paramref name="body"/> as the action of <paramref name="command"/>.</summary>
    public static Command Runs(this Command command, ConnectionOptions connection, Func<CommandContext, Task<int>> body)
    {
        command.SetAction((parse, cancellationToken) => RunAsync(new CommandContext(parse, connection, cancellationToken), body));
        return command;
    }

    /// <summary>Sets a body that succeeds with exit code 0 unless it throws.</summary>
    public static Command Runs(this Command command, ConnectionOptions connection, Func<CommandContext, Task> body) =>
        command.Runs(connection, async context =>
        {
            await body(context);
            return ExitCodes.Ok;
        });

    private static async Task<int> RunAsync(CommandContext context, Func<CommandContext, Task<int>> body)
    {
        try
        {
            return await body(context);
        }
        catch (Exception e)
        {
            var failure = ConsoleFailure.From(e);
            if (context.Cancellation.IsCancellationRequested && e is OperationCanceledException) failure = new ConsoleFailure(ExitCodes.Interrupted, "interrupted");
            System.Console.Error.WriteLine($"alerts: {failure.Message}");
            if (failure.ExitCode == ExitCodes.Failed && Environment.GetEnvironmentVariable("ALERTS_DEBUG") is "1") System.Console.Error.WriteLine(e);
            return failure.ExitCode;
        }
    }
}
