using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts user erase</c>: deletes everything stored about a user.</summary>
public static class EraseCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var user = UserArguments.Id();
        var command = new Command("erase", "Delete every row about a user: position, preference, recipient rows, unsent pushes") { user };
        return command.Runs(connection, async context =>
        {
            var userId = UserArguments.Valid(context, user);
            await using var client = await context.ConnectAsync();
            await client.GetGrain<IResidencyGrain>(0).Erase(userId);
            context.Output.Write(new { userId, erased = true }, $"user {userId} erased");
        });
    }
}
