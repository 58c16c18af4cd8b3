using System.CommandLine;
using System.Globalization;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary><c>alerts audit list</c> and <c>alerts audit export</c>: read the append-only log of admin actions (role admin or operator).</summary>
public static class AuditCommands
{
    // Entries asked for per call while exporting: the grain's own limit.
    private const int Page = 10_000;

    /// <summary>Both commands.</summary>
    public static IEnumerable<Command> Create(ConnectionOptions connection) => [List(connection), Export(connection)];

    private static Command List(ConnectionOptions connection)
    {
        var subject = Subject();
        var after = new Option<long>("--after") { Description = "Only entries after this sequence number", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (1-10,000)", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Show admin actions in order: who, roles, when, what, the state before and after") { subject, after, limit };
        return command.Runs(connection, async context =>
        {
            await using var client = await context.ConnectAsync();
            var entries = await client.GetGrain<IAuditLogGrain>(0).Read(context.Get(subject), context.Get(after), context.Get(limit));
            context.Output.Write(entries, () =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "when (UTC)", "who", "action", "subject", "state", "detail");
                foreach (var e in entries)
                    table.AddRow(Cells(e.Sequence.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                        $"{e.Actor} ({e.Roles})", e.Action, e.Subject, e.StateBefore is null ? "" : $"{e.StateBefore} → {e.StateAfter}", e.Detail ?? ""));
                return table;
            });
        });
    }

    private static Command Export(ConnectionOptions connection)
    {
        var subject = Subject();
        var output = new Option<FileInfo>("--out") { Description = "The file to write: one JSON document per line, in order", Required = true };
        var command = new Command("export", "Write the whole audit log (or one case's) to a file as JSON lines") { subject, output };
        return command.Runs(connection, async context =>
        {
            await using var file = OutputFile.Open(context.Get(output)!.ToString());
            await using var client = await context.ConnectAsync();
            var log = client.GetGrain<IAuditLogGrain>(0);
            long after = 0, written = 0;
            await using (var writer = new StreamWriter(file.Stream, leaveOpen: true))
            {
                while (true)
                {
                    // Ctrl-C between pages: the partial file is removed, and the command exits 130.
                    context.Cancellation.ThrowIfCancellationRequested();
                    var entries = await log.Read(context.Get(subject), after, Page);
                    foreach (var e in entries) await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(e, ConsoleOutput.CompactJson));
                    written += entries.Count;
                    if (entries.Count < Page) break;
                    after = entries[^1].Sequence;
                }
            }

            await file.CommitAsync();
            context.Output.Write(new { file = file.FullName, entries = written }, $"{written:N0} audit entries written to {file.FullName}");
        });
    }

    // An empty --case read as no filter at all: the whole log, for a script whose variable was unset.
    private static Option<string?> Subject()
    {
        var subject = new Option<string?>("--case") { Description = "Only entries about this case (or a user: user:42)" };
        subject.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && string.IsNullOrWhiteSpace(token.Value))
                result.AddError($"--case \"{token.Value}\" is invalid: give a case id, or user:N for a user");
        });
        return subject;
    }

    private static Text[] Cells(params string[] values) => values.Select(v => new Text(v)).ToArray();
}
