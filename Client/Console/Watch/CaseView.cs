using System.Text.Json.Serialization;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Alerts.Cli;

/// <summary>A case as the console shows it: dispatch progress from the case, delivery from the push hub.</summary>
public sealed record CaseView(
    string CaseId,
    CaseStatus Status,
    double RadiusKm,
    int CellsDone,
    int CellsTotal,
    long Recipients,
    long HandedToGateways,
    long Acknowledged,
    long WaitingForGateway,
    long InFlight,
    long Suppressed = 0,
    int NoticesPending = 0,
    WatchedEngagement? Engagement = null,
    bool DeliveryUnknown = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NoAnswer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Exercise = null)
{
    /// <summary>Dispatch is over (or the case ended), every notice was written, and every push was acknowledged.</summary>
    public bool Settled => Status is CaseStatus.Active or CaseStatus.Resolved or CaseStatus.Cancelled or CaseStatus.Expired
        && NoticesPending == 0 && WaitingForGateway == 0 && InFlight == 0 && !DeliveryUnknown;

    /// <summary>
    /// A line of <c>case watch --json</c>: the view, or while the cluster does not answer the last figures read, marked
    /// with why in <see cref="NoAnswer"/> (absent from the JSON otherwise), so a script can tell stale figures from fresh ones.
    /// </summary>
    public static CaseView Watched(CaseView view, string? note) => note is null ? view : view with { NoAnswer = note };

    /// <summary>Reads the case and its delivery (and with <paramref name="engagement"/> its engagement figures); an unknown case is "not found".</summary>
    public static async Task<CaseView> LoadAsync(AlertsClient client, string caseId, bool engagement = false)
    {
        var progress = client.GetGrain<ICaseGrain>(caseId).GetProgress();
        var delivery = client.GetGrain<IPushHubGrain>(0).GetCaseDelivery(caseId);
        var view = From(await progress, await delivery);
        return engagement ? view with { Engagement = WatchedEngagement.From(await EngagementView.LoadAsync(client, caseId)) } : view;
    }

    /// <summary>
    /// The case a move has just changed, from what the move returned, and its delivery if <paramref name="delivery"/>
    /// answers. The move is done either way: a push hub that does not answer (its silo restarting) leaves the delivery
    /// figures at 0, flagged <see cref="DeliveryUnknown"/>, and a warning to show, so the admin does not retry what succeeded.
    /// </summary>
    public static async Task<(CaseView View, string? Warning)> AfterMoveAsync(CaseProgress progress, Func<Task<CaseDelivery>> delivery)
    {
        Known(progress);
        try
        {
            return (From(progress, await delivery()), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var unknown = From(progress, new CaseDelivery(progress.CaseId, 0, 0, 0, 0)) with { HandedToGateways = 0, Acknowledged = 0, DeliveryUnknown = true };
            return (unknown, $"done, but the delivery figures could not be read: {ConsoleFailure.From(e).Message}");
        }
    }

    /// <summary>Combines the two; "handed" counts pushes that left the hub's queue, "acknowledged" those a gateway confirmed.</summary>
    public static CaseView From(CaseProgress progress, CaseDelivery delivery)
    {
        Known(progress);
        // The two reads are not one snapshot: clamp, so a batch recorded between them never shows as negative.
        var handed = Math.Max(0, progress.Recipients - delivery.UsersWaiting);
        var acknowledged = Math.Max(0, handed - delivery.UsersInFlight);
        return new CaseView(progress.CaseId, progress.Status, progress.RadiusMeters / 1000, progress.CellsDone, progress.CellsTotal,
            progress.Recipients, handed, acknowledged, delivery.UsersWaiting, delivery.UsersInFlight, progress.Suppressed, progress.NoticesPending);
    }

    private static void Known(CaseProgress progress)
    {
        if (progress.Status == CaseStatus.None) throw new KeyNotFoundException($"no case named {progress.CaseId}");
    }

    /// <summary>A status as people say it: "awaiting approval", "active".</summary>
    public static string StatusName(CaseStatus status) => status == CaseStatus.AwaitingApproval ? "awaiting approval" : status.ToString().ToLowerInvariant();

    /// <summary>A table of the figures.</summary>
    public IRenderable ToTable() => ConsoleOutput.Facts(
        ("case", CaseId),
        ("status", StatusName(Status)),
        ("radius", $"{RadiusKm:0.###} km"),
        ("cells", $"{CellsDone:N0} / {CellsTotal:N0}"),
        ("recipients", $"{Recipients:N0}"),
        ("handed to gateways", $"{HandedToGateways:N0}"),
        ("acknowledged", $"{Acknowledged:N0}"),
        ("suppressed (fatigue limit)", $"{Suppressed:N0}"));

    /// <summary>The live view: a progress bar over the cells, then the counters.</summary>
    public IRenderable ToLiveView()
    {
        var share = CellsTotal == 0 ? (Status is CaseStatus.Draft or CaseStatus.AwaitingApproval ? 0 : 1) : (double)CellsDone / CellsTotal;
        var bar = new BreakdownChart().Width(50).HideTags()
            .AddItem("done", Math.Max(share, 0.0001) * 100, Color.Green)
            .AddItem("to do", Math.Max(1 - share, 0.0001) * 100, Color.Grey);
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow(new Text("dispatch"), new Columns(bar, new Text($"{share * 100:0}%")).Collapse());
        grid.AddRow(new Text("status"), new Text(StatusName(Status) + (Settled ? " (settled)" : "")));
        grid.AddRow(new Text("cells"), new Text($"{CellsDone:N0} / {CellsTotal:N0}"));
        grid.AddRow(new Text("recipients"), new Text($"{Recipients:N0}"));
        grid.AddRow(new Text("handed to gateways"), new Text($"{HandedToGateways:N0}"));
        grid.AddRow(new Text("acknowledged"), new Text($"{Acknowledged:N0}"));
        if (Suppressed > 0) grid.AddRow(new Text("suppressed"), new Text($"{Suppressed:N0}"));
        if (Engagement is { } e)
        {
            grid.AddRow(new Text("delivered"), new Text($"{e.Delivered:N0}"));
            grid.AddRow(new Text("opened"), new Text(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{e.Opened:N0} ({e.OpenRate * 100:0.0}%)")));
            grid.AddRow(new Text("shares"), new Text($"{e.Shares:N0} ({e.OpensThroughShares:N0} opens through them)"));
            grid.AddRow(new Text("sightings"), new Text($"{e.Sightings:N0}"));
        }
        return new Panel(grid).Header($"case {CaseId}").Border(BoxBorder.Rounded);
    }
}
