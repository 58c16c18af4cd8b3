using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts user opt-out</c>: stops (or with <c>--undo</c> resumes) alerts for a user.</summary>
public static class OptOutCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var user = UserArguments.Id();
        var undo = new Option<bool>("--undo") { Description = "Resume alerts for the user instead" };
        var command = new Command("opt-out", "Stop alerts for a user (durable when the command returns); --undo resumes them") { user, undo };
        return command.Runs(connection, async context =>
        {
            var userId = UserArguments.Valid(context, user);
            await using var client = await context.ConnectAsync();
            var optedOut = !context.Get(undo);
            await client.GetGrain<IResidencyGrain>(0).SetOptOut(userId, optedOut);
            context.Output.Write(new { userId, optedOut }, optedOut ? $"user {userId} opted out: no more alerts" : $"user {userId} receives alerts again");
        });
    }
}
