using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Alerts.Client.Cap;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary><c>alerts case import</c> and <c>case export</c> as real processes against a real embedded silo: file in, show, export out, and the errors.</summary>
public sealed class ConsoleCapTests(ConsoleSilo fixture) : IClassFixture<ConsoleSilo>
{
    [Fact]
    public async Task A_CAP_alert_is_imported_shown_and_exported_through_the_console_and_the_export_imports_again()
    {
        var sample = CapSamples.PathOf("amber-shenzhen.xml");
        var imported = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "import", sample, "--case-id", "cap-sz-0417", "--json")));
        Assert.Equal("cap-sz-0417", imported.GetProperty("caseId").GetString());
        Assert.Equal("draft", imported.GetProperty("status").GetString());
        Assert.Equal("urn:oid:2.49.0.1.156.44.3:SZ-FT-20261128-0417", imported.GetProperty("cap").GetProperty("identifier").GetString());
        Assert.Equal("futian-police@sz.example", imported.GetProperty("cap").GetProperty("sender").GetString());
        Assert.Equal(["zh-CN", "zh-TW", "en"], imported.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(100, imported.GetProperty("radiusKm").GetDouble());

        var shown = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "cap-sz-0417", "--json")));
        Assert.Equal("draft", shown.GetProperty("progress").GetProperty("status").GetString());
        Assert.Equal(100, shown.GetProperty("progress").GetProperty("radiusKm").GetDouble());
        var filed = shown.GetProperty("record").GetProperty("definition");
        Assert.Equal("陈小雨", filed.GetProperty("child").GetProperty("name").GetString());
        Assert.Equal("SZ-FT-20261128-0417", filed.GetProperty("policeReference").GetString());
        Assert.Equal(2, filed.GetProperty("rings").GetArrayLength());
        var human = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "cap-sz-0417"));
        Assert.Contains("莲花山公园南门", human.StandardOutput);

        // Not yet approved, it exports as a Draft: nothing downstream may act on it, and it is not imported again.
        var draft = Path.Combine(fixture.WorkingDirectory, "cap-sz-0417-draft.xml");
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", "cap-sz-0417", "--out", draft));
        Assert.Empty(CapSamples.SchemaErrors(await File.ReadAllBytesAsync(draft)));
        Assert.Equal("Draft", CapAlert.Parse(await File.ReadAllBytesAsync(draft)).Status);
        var refused = await fixture.RunAsAdminAsync("case", "import", draft, "--case-id", "cap-sz-0417-draft");
        Assert.True(refused.ExitCode == 2 && refused.StandardError.Contains("CAP element <status>: Draft is not imported", StringComparison.Ordinal), refused.ToString());
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "submit", "cap-sz-0417"));
        await ConsoleSilo.MustSucceed(fixture.RunAsync(await ApproverAsync(), "case", "approve", "cap-sz-0417"));

        var file = Path.Combine(fixture.WorkingDirectory, "cap-sz-0417.xml");
        var written = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", "cap-sz-0417", "--out", file, "--json")));
        Assert.Equal(("cap-sz-0417", "Alert"), (written.GetProperty("identifier").GetString(), written.GetProperty("msgType").GetString()));
        var exported = await File.ReadAllBytesAsync(file);
        Assert.Empty(CapSamples.SchemaErrors(exported));
        Assert.Equal("Actual", CapAlert.Parse(exported).Status);
        var again = CapImport.Read(exported);
        Assert.Equal("cap-sz-0417", again.CaseId);
        Assert.Equivalent(CapImport.Read(await File.ReadAllBytesAsync(sample)).Definition, again.Definition, strict: true);

        // Without --out the same document goes to standard output.
        var printed = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", "cap-sz-0417"));
        Assert.Equal(Encoding.UTF8.GetString(exported).TrimEnd(), printed.StandardOutput.TrimEnd());
        // With --json it is JSON, the document one of its strings.
        var json = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", "cap-sz-0417", "--json")));
        Assert.Equal(("cap-sz-0417", "Alert"), (json.GetProperty("caseId").GetString(), json.GetProperty("msgType").GetString()));
        Assert.Equal(Encoding.UTF8.GetString(exported), json.GetProperty("cap").GetString());

        // The export is an import: read from standard input this time. Its identifier names the case it came from, so it needs another id.
        await using var piped = RunningProcess.Start(Shell($"exec dotnet \"{ConsoleProcess.Assembly}\" case import - --case-id cap-sz-0417-copy --json < \"{file}\""), "alerts case import -");
        Assert.True(await piped.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, piped.Tail());
        var copy = JsonDocument.Parse(string.Join('\n', piped.StandardOutput)).RootElement;
        Assert.Equal(("cap-sz-0417-copy", "cap-sz-0417"), (copy.GetProperty("caseId").GetString(), copy.GetProperty("cap").GetProperty("identifier").GetString()));
        var twice = await fixture.RunAsAdminAsync("case", "import", file);
        Assert.True(twice.ExitCode == 5 && twice.StandardError.Contains("already exists", StringComparison.Ordinal), twice.ToString());
    }

    [Fact]
    public async Task A_CAP_Update_and_Cancel_apply_to_the_case_they_name_and_the_update_exports_as_a_CAP_Update()
    {
        const string id = "cap-gz-life";
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "import", CapSamples.PathOf("gz-circle.xml"), "--case-id", id));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "submit", id));
        await ConsoleSilo.MustSucceed(fixture.RunAsync(await ApproverAsync(), "case", "approve", id));

        // The police system's Update names its own alert; --case-id says which case that is here.
        const string header = "<msgType>Alert</msgType>\n  <scope>Public</scope>";
        const string reference = "\n  <references>tianhe-police@gz.example,GZ-TH-20261128-0093,2026-11-28T09:12:00+08:00</references>";
        var update = Path.Combine(fixture.WorkingDirectory, "gz-update.xml");
        await File.WriteAllTextAsync(update, Encoding.UTF8.GetString(CapSamples.Edited("gz-circle.xml", header, header.Replace("Alert", "Update", StringComparison.Ordinal) + reference))
            .Replace("yellow T-shirt and grey shorts", "now wearing a borrowed blue jacket", StringComparison.Ordinal));
        var applied = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "import", update, "--case-id", id, "--json")));
        Assert.Equal(("update", "Update"), (applied.GetProperty("applied").GetString(), applied.GetProperty("cap").GetProperty("msgType").GetString()));

        var record = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", id, "--json"))).GetProperty("record");
        var notice = record.GetProperty("notices").EnumerateArray().Single();
        Assert.Equal("update", notice.GetProperty("kind").GetString());
        Assert.Contains("borrowed blue jacket", notice.GetProperty("message").GetString());

        var exported = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", id, "--notice", "1"));
        var bytes = Encoding.UTF8.GetBytes(exported.StandardOutput);
        Assert.Empty(CapSamples.SchemaErrors(bytes));
        var alert = CapAlert.Parse(bytes);
        Assert.Equal(("Update", $"{id}:notice:1"), (alert.MsgType, alert.Identifier));
        Assert.Equal($"alerts,{id},{CapDateTime.Format(record.GetProperty("filedAt").GetDateTimeOffset())}", alert.References);

        // A drill's update does not touch a live case.
        var drill = Path.Combine(fixture.WorkingDirectory, "gz-drill-update.xml");
        await File.WriteAllTextAsync(drill, (await File.ReadAllTextAsync(update)).Replace("<status>Actual</status>", "<status>Exercise</status>", StringComparison.Ordinal));
        var mismatch = await fixture.RunAsAdminAsync("case", "import", drill, "--case-id", id);
        Assert.True(mismatch.ExitCode == 2 && mismatch.StandardError.Contains("CAP element <status>: Exercise does not match case cap-gz-life, a live case (Actual)", StringComparison.Ordinal), mismatch.ToString());

        // Cancel: the CAP note is the reason; the case ends (nobody was reached here, so no correction goes out).
        var cancel = Path.Combine(fixture.WorkingDirectory, "gz-cancel.xml");
        await File.WriteAllBytesAsync(cancel, CapSamples.Edited("gz-circle.xml", header, "<msgType>Cancel</msgType>\n  <scope>Public</scope>\n  <note>the boy was with his grandmother all along</note>" + reference));
        var cancelled = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "import", cancel, "--case-id", id, "--json")));
        Assert.Equal(("cancelled", "cancelled"), (cancelled.GetProperty("applied").GetString(), cancelled.GetProperty("status").GetString()));
        var closed = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", id, "--json"))).GetProperty("record");
        Assert.Equal("the boy was with his grandmother all along", closed.GetProperty("closingReason").GetString());

        // A follow-up for a case that is not here.
        var orphan = await fixture.RunAsAdminAsync("case", "import", update);
        Assert.True(orphan.ExitCode == 4 && orphan.StandardError.Contains("no case named GZ-TH-20261128-0093", StringComparison.Ordinal), orphan.ToString());
    }

    public static TheoryData<string[], int, string> Errors => new()
    {
        { ["case", "import", "no-such-file.xml"], 2, "file no-such-file.xml: not found" },
        { ["case", "import", CapSamples.PathOf("gz-polygon-only.xml")], 2, "CAP element <circle>: info[1] (en) gives its area only as 1 polygon(s)" },
        { ["case", "import", CapSamples.PathOf("gz-two-circles.xml")], 2, "CAP element <circle>: info[1] (en) has 2 circles" },
        { ["case", "import", CapSamples.PathOf("billion-laughs.xml")], 2, "CAP element <!DOCTYPE>: a DTD is refused" },
        { ["case", "import", CapSamples.PathOf("gz-cap11.xml")], 2, "not a CAP 1.2 alert" },
        { ["case", "import", CapSamples.PathOf("gz-circle.xml"), "--case-id", "bad id"], 2, "case-id \"bad id\" is invalid" },
        { ["case", "import", CapSamples.PathOf("no-identifier.xml")], 2, "CAP element <identifier>: \"::\" has no letters or digits to make a case id of; give one with --case-id" },
        { ["case", "export", "no-such-case"], 4, "no-such-case" },
        { ["case", "export", "cap-gz-errors", "--notice", "5"], 4, "has no notice 5" },
        { ["case", "export", "cap-gz-errors", "--sender", "a b"], 2, "sender \"a b\" is invalid" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task A_bad_file_or_bad_CAP_is_one_clear_line_and_its_exit_code(string[] args, int exitCode, string text)
    {
        if (args[1] == "export" && args[2] == "cap-gz-errors") await EnsureCaseAsync("cap-gz-errors", CapSamples.PathOf("gz-circle.xml"));
        var run = await fixture.RunAsAdminAsync(args);
        Assert.True(run.ExitCode == exitCode, $"expected exit {exitCode}: {run}");
        Assert.Contains(text, run.StandardError, StringComparison.Ordinal);
        var lines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("alerts: ", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public async Task A_field_the_case_refuses_names_the_CAP_element_it_came_from()
    {
        var alert = CapSamples.Edited("gz-circle.xml", "<contact>+86 20 3456 7890</contact>", "<contact>call the police</contact>");
        var file = Path.Combine(fixture.WorkingDirectory, "bad-contact.xml");
        await File.WriteAllBytesAsync(file, alert);
        var run = await fixture.RunAsAdminAsync("case", "import", file, "--case-id", "cap-bad-contact");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("contactPhone", run.StandardError);
        Assert.Contains("(CAP: <contact>)", run.StandardError);
    }

    [Fact]
    public async Task A_follow_up_text_the_case_refuses_names_the_CAP_element_it_came_from()
    {
        const string id = "cap-gz-follow-up-text";
        await EnsureCaseAsync(id, CapSamples.PathOf("gz-circle.xml"));
        const string header = "<msgType>Alert</msgType>\n  <scope>Public</scope>";

        // A Cancel's reason is its note: over 500 characters, the line says to shorten the note, not some "reason".
        var cancel = Path.Combine(fixture.WorkingDirectory, "gz-cancel-long-note.xml");
        await File.WriteAllBytesAsync(cancel, CapSamples.Edited("gz-circle.xml", header, $"<msgType>Cancel</msgType>\n  <scope>Public</scope>\n  <note>{new string('n', 612)}</note>"));
        var run = await fixture.RunAsAdminAsync("case", "import", cancel, "--case-id", id);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("alerts: reason has 612 characters; at most 500 (CAP: <note>)", run.StandardError, StringComparison.Ordinal);

        // An Update's message is its description: a control character XML allows (NEL) but a push does not.
        var update = Path.Combine(fixture.WorkingDirectory, "gz-update-control.xml");
        var text = Encoding.UTF8.GetString(CapSamples.Edited("gz-circle.xml", header, "<msgType>Update</msgType>\n  <scope>Public</scope>"));
        await File.WriteAllTextAsync(update, text.Replace("<description>Li Haoran", "<description>Li\u0085Haoran", StringComparison.Ordinal));
        run = await fixture.RunAsAdminAsync("case", "import", update, "--case-id", id);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("alerts: message has the control character U+0085 at character 2; only tab and line breaks are allowed (CAP: <description> (or <headline>) and <instruction>)", run.StandardError, StringComparison.Ordinal);

        var shown = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", id, "--json")));
        Assert.Equal("draft", shown.GetProperty("progress").GetProperty("status").GetString());
    }

    // A second admin: the two-person rule stops the filer (the fixture's admin) approving its own case.
    private async Task<string> ApproverAsync()
    {
        var approver = Path.Combine(fixture.WorkingDirectory, "cap-approver.credential");
        if (!File.Exists(approver)) await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("credential", "create", "cap-approver", "--role", "admin", "--save", approver));
        return approver;
    }

    private async Task EnsureCaseAsync(string caseId, string file)
    {
        var run = await fixture.RunAsAdminAsync("case", "import", file, "--case-id", caseId);
        Assert.True(run.ExitCode == 0 || run.StandardError.Contains("already exists", StringComparison.Ordinal), run.ToString());
    }

    private ProcessStartInfo Shell(string command)
    {
        var info = new ProcessStartInfo("sh") { WorkingDirectory = fixture.WorkingDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ALERTS_", StringComparison.Ordinal)).ToList()) info.Environment.Remove(key);
        foreach (var (key, value) in fixture.Environment(fixture.AdminCredential)) info.Environment[key] = value;
        return info;
    }

    private static JsonElement Json(ConsoleRun run) => JsonDocument.Parse(run.StandardOutput).RootElement;
}
