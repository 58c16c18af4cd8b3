using System.CommandLine;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary><c>alerts case list</c>: cases, most recently changed first.</summary>
public static class ListCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var status = new Option<CaseStatus?>("--status") { Description = "Only cases in this state (draft, awaitingapproval, dispatching, active, resolved, cancelled, expired)" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1-10,000)", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List cases, most recently changed first") { status, limit };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var cases = await client.GetGrain<ICaseIndexGrain>(0).List(context.Get(status), context.Get(limit));
            context.Output.Write(cases, () =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumn("case").AddColumn("status").AddColumn("changed (UTC)");
                foreach (var c in cases) table.AddRow(Markup.Escape(c.CaseId), CaseView.StatusName(c.Status), c.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
                if (cases.Count == 0) table.Caption("no cases");
                return table;
            });
        });
    }
}
