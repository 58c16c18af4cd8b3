using System.CommandLine;

namespace Alerts.Cli;

/// <summary><c>alerts case stats</c>: a case's engagement: pushed, delivered, opened, shares and their depth, sightings, by cell and by minute.</summary>
public static class CaseStatsCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var cells = new Option<int>("--cells") { Description = "Show the busiest this many cells (0-10,000; --json has all)", DefaultValueFactory = _ => 10 };
        var minutes = new Option<int>("--minutes") { Description = "Show the last this many minutes (0-10,000; --json has all)", DefaultValueFactory = _ => 15 };
        var command = new Command("stats", "A case's engagement: pushed, delivered, opened (open rate), shares by channel and generation, sightings, suppressed, refused; by cell and by minute") { id, cells, minutes };
        return command.Runs(connection, async context =>
        {
            if (context.Get(cells) is < 0 or > 10_000) throw new ConsoleFailure(ExitCodes.BadInput, $"--cells {context.Get(cells)} is invalid: must be within [0, 10000]");
            if (context.Get(minutes) is < 0 or > 10_000) throw new ConsoleFailure(ExitCodes.BadInput, $"--minutes {context.Get(minutes)} is invalid: must be within [0, 10000]");
            await using var client = await context.ConnectAsync();
            var stats = await EngagementView.LoadAsync(client, context.Get(id));
            context.Output.Write(stats, () => EngagementView.ToTables(stats, context.Get(cells), context.Get(minutes)));
        });
    }
}
