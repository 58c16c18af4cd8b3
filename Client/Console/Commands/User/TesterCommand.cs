using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts user tester</c>: enrolls a user as a tester (drills reach only testers), or with <c>--withdraw</c> takes them off.</summary>
public static class TesterCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var user = UserArguments.Id();
        var withdraw = new Option<bool>("--withdraw") { Description = "Take the user off the testers instead" };
        var command = new Command("tester", "Enroll a user as a tester: drills (cases filed with --exercise) reach testers only") { user, withdraw };
        return command.Runs(connection, async context =>
        {
            var userId = UserArguments.Valid(context, user);
            await using var client = await context.ConnectAsync();
            var tester = !context.Get(withdraw);
            await client.GetGrain<IResidencyGrain>(0).SetTester(userId, tester);
            context.Output.Write(new { userId, tester }, tester ? $"user {userId} is a tester: drills reach them" : $"user {userId} is no longer a tester");
        });
    }
}
