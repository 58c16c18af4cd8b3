using System.CommandLine;
using Alerts.Client.Cap;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary><c>alerts case export</c>: writes a case (or one of its notices) as CAP 1.2, checked against the OASIS schema.</summary>
public static class ExportCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var id = CaseArguments.Id();
        var notice = new Option<int?>("--notice") { Description = "Export notice N instead of the alert: an update or the closing message as CAP Update, the correction as Cancel" };
        var output = new Option<string?>("--out") { Description = "Write the XML to this file (default: standard output)" };
        var sender = new Option<string>("--sender")
        {
            Description = "The CAP sender; keep it the same for every export of a case, so that notices' references name the alert",
            DefaultValueFactory = _ => CapIdentifiers.DefaultSender,
        };
        var command = new Command("export", "Write a case as CAP 1.2: the alert (msgType Alert), or --notice N as Update or Cancel referring to it")
        {
            id, notice, output, sender,
        };
        return command.Runs(connection, async context =>
        {
            var from = CapIdentifiers.CheckSender(context.Get(sender)!);
            await using var file = context.Get(output) is { } path ? OutputFile.Open(path) : null;
            await using var client = await context.ConnectAsync();
            var record = await client.GetGrain<ICaseGrain>(context.Get(id)).GetRecord();
            if (record.Status == CaseStatus.None) throw new KeyNotFoundException($"no case named {context.Get(id)}");
            var document = CapExport.ToXml(record, context.Get(notice), from);
            try
            {
                CapSchema.Validate(document);
            }
            catch (CapFormatException e)
            {
                throw new ConsoleFailure(ExitCodes.Failed, $"the export of case {record.CaseId} is not valid CAP 1.2: {e.Message}", e);
            }

            var bytes = CapExport.ToBytes(document);
            var root = document.Root!;
            var summary = new
            {
                record.CaseId,
                Identifier = root.Element(CapAlert.Cap("identifier"))!.Value,
                MsgType = root.Element(CapAlert.Cap("msgType"))!.Value,
                File = context.Get(output),
            };
            if (summary.File is null && context.Output.IsJson)
            {
                // --json promises JSON on standard output: the document goes in it as a string.
                ConsoleOutput.WriteJson(new { summary.CaseId, summary.Identifier, summary.MsgType, Cap = System.Text.Encoding.UTF8.GetString(bytes) });
                return;
            }

            if (summary.File is null)
            {
                await using var stdout = System.Console.OpenStandardOutput();
                await stdout.WriteAsync(bytes, context.Cancellation);
                return;
            }

            await file!.Stream.WriteAsync(bytes, context.Cancellation);
            await file.CommitAsync();
            context.Output.Write(summary, $"wrote {summary.File}: CAP 1.2 {summary.MsgType} {summary.Identifier} ({bytes.Length:N0} bytes)");
        });
    }
}
