using System.Globalization;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Alerts.Cli;

/// <summary>A case's engagement as the console shows it (<c>case stats</c>, and rows the live <c>case watch</c> view can add).</summary>
public static class EngagementView
{
    /// <summary>Reads the case's live engagement figures; an unknown case is "not found".</summary>
    public static Task<CaseEngagementStats> LoadAsync(AlertsClient client, string caseId) => client.GetGrain<ICaseEngagementGrain>(caseId).GetStats();

    /// <summary>The headline figures as (name, value) rows, for a facts table or the live view's grid.</summary>
    public static (string Name, string Value)[] Headline(CaseEngagementStats stats) =>
    [
        ("pushed", $"{stats.Pushed:N0}"),
        ("delivered", $"{stats.Delivered:N0}"),
        ("opened", $"{stats.Opened:N0} ({stats.OpenedByPushed:N0} pushed)"),
        ("open rate", string.Create(CultureInfo.InvariantCulture, $"{stats.OpenRate * 100:0.0}%")),
        ("shares", $"{stats.Shares:N0}"),
        ("shares by channel", $"friend {stats.SharesByChannel.Friend:N0}, group {stats.SharesByChannel.Group:N0}, qzone {stats.SharesByChannel.Qzone:N0}, other {stats.SharesByChannel.Other:N0}"),
        ("opens through shares", $"{stats.OpensThroughShares:N0}"),
        ("deepest generation", $"{stats.MaxShareDepth}"),
        ("sightings", $"{stats.Sightings:N0}"),
        ("suppressed", $"{stats.Suppressed:N0}"),
        ("refused", $"{stats.Refused:N0}"),
    ];

    /// <summary>The figures, the busiest <paramref name="cells"/> cells and the last <paramref name="minutes"/> minutes, as tables.</summary>
    public static IRenderable ToTables(CaseEngagementStats stats, int cells, int minutes)
    {
        var facts = ConsoleOutput.Facts([("case", stats.CaseId), ("status", stats.Status.ToString().ToLowerInvariant()), .. Headline(stats).Select(h => (h.Name, (object?)h.Value))]);
        var parts = new List<IRenderable> { facts };
        if (cells > 0 && stats.Cells.Count > 0)
        {
            var table = Counts("cell").Caption($"{Math.Min(cells, stats.Cells.Count)} of {stats.Cells.Count} cells, most opens first");
            foreach (var c in stats.Cells.Take(cells)) table.AddRow(Markup.Escape(c.Cell), $"{c.Delivered:N0}", $"{c.Opened:N0}", $"{c.Shares:N0}", $"{c.Sightings:N0}");
            parts.Add(table);
        }

        if (minutes > 0 && stats.Timeline.Count > 0)
        {
            var table = Counts("minute (UTC)").Caption($"last {Math.Min(minutes, stats.Timeline.Count)} of {stats.Timeline.Count} minutes");
            foreach (var m in stats.Timeline.TakeLast(minutes))
                table.AddRow(m.Minute.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), $"{m.Delivered:N0}", $"{m.Opened:N0}", $"{m.Shares:N0}", $"{m.Sightings:N0}");
            parts.Add(table);
        }

        return new Rows(parts);
    }

    private static Table Counts(string first) =>
        new Table().Border(TableBorder.Rounded).AddColumn(first).AddColumn("delivered", c => c.RightAligned()).AddColumn("opened", c => c.RightAligned())
            .AddColumn("shares", c => c.RightAligned()).AddColumn("sightings", c => c.RightAligned());
}
