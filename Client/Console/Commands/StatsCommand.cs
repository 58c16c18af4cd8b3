using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts stats</c>: residents, opt-outs, cases by state and delivery counters.</summary>
public static class StatsCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var command = new Command("stats", "Residents stored, opt-outs, cases by state, the push hub's counters, and residency left to settle after failed calls");
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var stats = await client.GetGrain<IStatsGrain>(0).Get();
            context.Output.Write(stats, () => ConsoleOutput.Facts(
                ("residents stored", $"{stats.StoredResidents:N0}"),
                ("opted out", $"{stats.OptedOut:N0}"),
                ("cases", stats.Cases.Count == 0 ? "none" : string.Join(", ", stats.Cases.OrderBy(c => c.Key).Select(c => $"{c.Value} {CaseView.StatusName(c.Key)}"))),
                ("batches waiting", $"{stats.Delivery.Pending:N0}"),
                ("batches in flight", $"{stats.Delivery.InFlight:N0}"),
                ("batches acknowledged", $"{stats.Delivery.Acknowledged:N0}"),
                ("batches resent", $"{stats.Delivery.Resent:N0}"),
                ("gateways subscribed", $"{stats.Delivery.Gateways:N0}"),
                ("residency to settle", stats.Unsettled.Describe())));
        });
    }
}
