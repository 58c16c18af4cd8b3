using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case sightings</c>: a case's sightings, newest first.</summary>
public static class SightingsCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1,000)", DefaultValueFactory = _ => 50 };
        var command = new Command("sightings", "A case's sightings, newest first, one line each: when reported and seen, who, where and how far from where the child was last seen, what, photo and contact") { id, limit };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var sightings = await client.GetGrain<ICaseEngagementGrain>(context.Get(id)).ListSightings(context.Get(limit));
            context.Output.Write(sightings, sightings.Count == 0 ? "no sightings" : string.Join(Environment.NewLine, sightings.Select(Line)));
        });
    }

    /// <summary>
    /// One sighting on one line, never wrapped: the text is what the police read. The text, photo link and contact may
    /// hold line breaks (the app lets users type them): each becomes a space, or one sighting would read as several.
    /// </summary>
    public static string Line(Sighting x) => string.Create(CultureInfo.InvariantCulture,
        $"{Time(x.ReportedAt)}  seen {Time(x.SeenAt)}  user {x.UserId}  at {x.Details.Latitude:0.#####}, {x.Details.Longitude:0.#####} ({(x.DistanceFromLastSeenMeters is { } d ? $"{d / 1000:0.0} km from last seen" : "distance unknown")})  \"{OneLine(x.Details.Text)}\"  photo {OneLine(x.Details.PhotoUrl ?? "-")}  contact {OneLine(x.Details.Contact ?? "-")}");

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
