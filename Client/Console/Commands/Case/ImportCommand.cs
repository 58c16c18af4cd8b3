using System.CommandLine;
using Alerts.Client.Cap;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case import</c>: files a CAP 1.2 Alert as a draft case, or applies an Update or Cancel to its case (README "CAP 1.2").</summary>
public static class ImportCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var file = new Argument<string>("file") { Description = "The CAP 1.2 alert (XML, at most 1 MB), or - to read standard input" };
        var caseId = new Option<string?>("--case-id")
        {
            Description = "The case's id (default: the alert's identifier, other characters as '-', at most its last 64; for an Update or Cancel, its first reference's)",
        };
        var command = new Command("import", "File a CAP 1.2 Alert as a draft case (its circle, every language, the child's details; nothing is sent), "
            + "or apply an Update (new message; AllClear: found) or Cancel to the case it references")
        {
            file, caseId,
        };
        return command.Runs(connection, async context =>
        {
            var alert = CapAlert.Parse(await ReadAsync(context.Get(file), context.Cancellation));
            if (alert.MsgType is "Update" or "Cancel")
            {
                await FollowUpAsync(context, alert, context.Get(caseId));
                return;
            }

            var imported = CapImport.From(alert);
            var id = CheckedId(context.Get(caseId) ?? imported.CaseId
                ?? throw new CapFormatException("identifier", $"\"{imported.Identifier}\" has no letters or digits to make a case id of; give one with --case-id"));
            await using var client = await context.ConnectAsync();
            CaseProgress progress;
            try
            {
                progress = await client.GetGrain<ICaseGrain>(id).Open(imported.Definition);
            }
            catch (ArgumentException e) when (CapFields.SourceOf(ConsoleFailure.FieldOf(e)) is { } source)
            {
                throw FromCap(e, source);
            }

            var definition = imported.Definition;
            string[] languages = [definition.Language, .. definition.Translations.Select(t => t.Language)];
            var view = new { progress.CaseId, progress.Status, Cap = CapOrigin.Of(alert), Languages = languages, RadiusKm = progress.RadiusMeters / 1000, definition.Exercise };
            context.Output.Write(view, $"case {view.CaseId} filed from {view.Cap}: {string.Join(", ", languages)}, radius {view.RadiusKm:0.###} km"
                + $"{(definition.Exercise ? ", exercise" : "")}, status {view.Status.ToString().ToLowerInvariant()}");
        });
    }

    // An Update or Cancel applies to the case it references (or --case-id): a new message, found (AllClear), or withdrawn.
    private static async Task FollowUpAsync(CommandContext context, CapAlert alert, string? caseId)
    {
        var id = CheckedId(caseId ?? CapFollowUp.TargetOf(alert));
        await using var client = await context.ConnectAsync();
        var grain = client.GetGrain<ICaseGrain>(id);
        var record = await grain.GetRecord();
        if (record.Status == CaseStatus.None) throw new KeyNotFoundException($"no case named {id} (the CAP {alert.MsgType} {alert.Identifier} refers to it)");
        var followUp = CapFollowUp.From(alert, id, record.Definition.Language);
        if (followUp.Exercise != record.Definition.Exercise)
            throw new CapFormatException("status", $"{alert.Status} does not match case {id}, {(record.Definition.Exercise ? "a drill (Exercise)" : "a live case (Actual)")}");
        var progress = await ConsoleFailure.UnlessNoAnswerAsync(async () =>
        {
            try
            {
                return await (followUp.Kind switch
                {
                    NoticeKind.Update => grain.Update(followUp.Text),
                    NoticeKind.Resolved => grain.Resolve(followUp.Text),
                    _ => grain.Cancel(followUp.Text),
                });
            }
            catch (ArgumentException e) when (followUp.SourceOf(ConsoleFailure.FieldOf(e)) is { } source)
            {
                throw FromCap(e, source);
            }
        }, $"case import of the CAP {alert.MsgType} {alert.Identifier} to case {id}", $"alerts case show {id}");
        var view = new { progress.CaseId, progress.Status, Cap = CapOrigin.Of(alert), Applied = followUp.Kind };
        context.Output.Write(view, $"case {view.CaseId}: {view.Cap} applied as {followUp.Kind.ToString().ToLowerInvariant()}, status {progress.Status.ToString().ToLowerInvariant()}");
    }

    // The case's own checks name its field; say where that field came from in the alert.
    private static ConsoleFailure FromCap(ArgumentException e, string source) =>
        new(ExitCodes.BadInput, $"{ConsoleFailure.From(e).Message} (CAP: {source})", e);

    private static string CheckedId(string id) =>
        CapIdentifiers.IsCaseId(id) ? id : throw new ConsoleFailure(ExitCodes.BadInput, CaseArguments.InvalidId(id));

    private static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (path == "-") return await CapReader.ReadAsync(System.Console.OpenStandardInput(), cancellationToken);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ConsoleFailure(ExitCodes.BadInput, $"file {path}: not found");
            if (info.Length > CapReader.MaxBytes) throw CapReader.TooLarge(info.Length);
            await using var stream = info.OpenRead();
            return await CapReader.ReadAsync(stream, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConsoleFailure(ExitCodes.BadInput, $"file {path}: {e.Message}", e);
        }
    }

    /// <summary>Which CAP message a command applied: its type, identifier, sender and time.</summary>
    private sealed record CapOrigin(string MsgType, string Identifier, string Sender, string Sent)
    {
        public static CapOrigin Of(CapAlert alert) => new(alert.MsgType, alert.Identifier, alert.Sender, CapDateTime.Format(alert.Sent));

        public override string ToString() => $"CAP {MsgType} {Identifier} ({Sender}, sent {Sent})";
    }
}
