using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary><c>alerts case show</c>: one case's record (what was filed, by whom, notices), status, dispatch progress and delivery.</summary>
public static class ShowCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var command = new Command("show", "Show a case: what was filed and by whom, approvals, notices, status, cells, recipients, pushes handed to gateways and acknowledged") { id };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var view = await CaseView.LoadAsync(client, context.Get(id));
            var record = await client.GetGrain<ICaseGrain>(context.Get(id)).GetRecord();
            context.Output.Write(new { progress = view, record }, () => new Rows(Describe(record), view.ToTable()));
        });
    }

    private static Spectre.Console.Rendering.IRenderable Describe(CaseRecord record)
    {
        var d = record.Definition;
        var child = d.Child!;
        var facts = new List<(string, string)>
        {
            ("child", string.Join(", ", new[] { child.Name, child.Age is { } age ? $"{age} years" : null, child.Sex == ChildSex.Unknown ? null : child.Sex.ToString().ToLowerInvariant(), child.HeightCm is { } h ? $"{h} cm" : null }.Where(x => x is not null))),
            ("last seen", $"{d.LastSeenAt:yyyy-MM-dd HH:mm zzz} at {d.LastSeenPlace} ({d.Latitude.ToString("0.#####", CultureInfo.InvariantCulture)}, {d.Longitude.ToString("0.#####", CultureInfo.InvariantCulture)})"),
            ("message", $"[{d.Language}] {record.Definition.Message}"),
            ("police reference", d.PoliceReference ?? ""),
            ("contact", d.ContactPhone ?? ""),
            ("filed", $"{record.FiledAt:yyyy-MM-dd HH:mm:ss} UTC by {record.FiledBy}{(d.Exercise ? " (drill)" : "")}"),
            ("approved", record.ApprovedBy is null ? "not yet" : $"{record.ApprovedAt:yyyy-MM-dd HH:mm:ss} UTC by {record.ApprovedBy}"),
        };
        if (child.Clothing is { } clothing) facts.Add(("clothing", clothing));
        if (child.Appearance is { } appearance) facts.Add(("appearance", appearance));
        if (record.ActiveUntil is { } until) facts.Add(("active until", $"{until:yyyy-MM-dd HH:mm:ss} UTC"));
        if (d.Rings.Count > 0) facts.Add(("widening rings", $"{record.RingsFired} of {d.Rings.Count} fired: " + string.Join(", ", d.Rings.Select(r => $"{r.After} → {r.RadiusMeters / 1000:0.###} km"))));
        if (record.ClosingReason is { } reason) facts.Add(("reason", reason));
        foreach (var n in record.Notices)
            facts.Add(($"notice {n.Number}", $"{n.Kind.ToString().ToLowerInvariant()} by {n.IssuedBy} at {n.IssuedAt:HH:mm:ss}: {n.Sent:N0} users{(n.Done ? "" : " so far")} — {n.Message}"));
        return ConsoleOutput.Facts(facts.Select(f => (f.Item1, (object?)f.Item2)).ToArray());
    }
}
