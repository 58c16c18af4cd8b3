using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary><c>alerts case sightings</c>: a case's sightings, newest first.</summary>
public static class SightingsCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1,000)", DefaultValueFactory = _ => 50 };
        var command = new Command("sightings", "A case's sightings, newest first: when, where, what, photo and contact") { id, limit };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var sightings = await client.GetGrain<ICaseEngagementGrain>(context.Get(id)).ListSightings(context.Get(limit));
            context.Output.Write(sightings, () =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumn("reported (UTC)").AddColumn("seen (UTC)").AddColumn("user").AddColumn("where")
                    .AddColumn("what").AddColumn("photo").AddColumn("contact");
                foreach (var s in sightings)
                {
                    table.AddRow(Time(s.ReportedAt), Time(s.SeenAt), s.UserId.ToString(CultureInfo.InvariantCulture),
                        string.Create(CultureInfo.InvariantCulture, $"{s.Details.Latitude:0.#####}, {s.Details.Longitude:0.#####}"),
                        Markup.Escape(s.Details.Text), Markup.Escape(s.Details.PhotoUrl ?? "-"), Markup.Escape(s.Details.Contact ?? "-"));
                }

                if (sightings.Count == 0) table.Caption("no sightings");
                return table;
            });
        });
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
