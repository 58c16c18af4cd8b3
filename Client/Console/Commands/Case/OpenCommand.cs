using System.CommandLine;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case open</c>: files a case (centre, radius, message, link) without sending anything yet.</summary>
public static class OpenCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var latitude = new Option<double>("--lat") { Description = "Latitude where the child was last seen, degrees [-90, 90]", Required = true };
        var longitude = new Option<double>("--lon") { Description = "Longitude where the child was last seen, degrees [-180, 180]", Required = true };
        var radius = new Option<double?>("--radius-km") { Description = "Alert radius in km (default: the silos' Alerts:DefaultRadiusMeters, 120 km)" };
        var message = new Option<string>("--message") { Description = "The alert text every recipient sees (1-1,000 characters)", Required = true };
        var link = new Option<string>("--link") { Description = "Absolute http(s) link to the case's full details", Required = true };
        var command = new Command("open", "File a case: where and how far to alert, and what to say. Nothing is sent until `case dispatch`.")
        {
            id, latitude, longitude, radius, message, link,
        };
        return command.Runs(connection, async context =>
        {
            var definition = new CaseDefinition(context.Get(latitude), context.Get(longitude), context.Get(radius) * 1000, context.Get(message)!, context.Get(link)!);
            await using var client = await context.ConnectAsync();
            var progress = await client.GetGrain<ICaseGrain>(context.Get(id)).Open(definition);
            var view = CaseView.From(progress, new CaseDelivery(progress.CaseId, 0, 0, 0, 0));
            context.Output.Write(view, $"case {view.CaseId} filed: radius {view.RadiusKm:0.###} km, status open. Send it with: alerts case dispatch {view.CaseId}");
        });
    }
}
