using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts settle</c>: after an incident, finishes what failed cell calls left in residency, and says what is still left.</summary>
public static class SettleCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var command = new Command("settle",
            "After a silo died or calls failed: ask the blocks that did not answer which users they hold and make the removals owed, " +
            "now rather than on the shards' own timer; exits 1 if any is left (role operator or admin)");
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var left = await client.GetGrain<IResidencyGrain>(0).Settle();
            context.Output.Write(left, left.IsSettled
                ? "residency settled: nothing left"
                : $"residency still unsettled: {left.Describe()} (a block's silo may be down: run again once the cluster has declared it dead)");
            return left.IsSettled ? ExitCodes.Ok : ExitCodes.Failed;
        });
    }
}
