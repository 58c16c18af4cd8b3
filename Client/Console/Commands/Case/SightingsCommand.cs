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
            // One line per sighting, never wrapped: the text is what the police read.
            var lines = sightings.Select(x => string.Create(CultureInfo.InvariantCulture,
                $"{Time(x.ReportedAt)}  seen {Time(x.SeenAt)}  user {x.UserId}  at {x.Details.Latitude:0.#####}, {x.Details.Longitude:0.#####} ({(x.DistanceFromLastSeenMeters is { } d ? $"{d / 1000:0.0} km from last seen" : "distance unknown")})  \"{x.Details.Text.ReplaceLineEndings(" ")}\"  photo {x.Details.PhotoUrl ?? "-"}  contact {x.Details.Contact ?? "-"}"));
            context.Output.Write(sightings, sightings.Count == 0 ? "no sightings" : string.Join(Environment.NewLine, lines));
        });
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
