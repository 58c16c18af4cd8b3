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
        Assert.Equal("urn:oid:2.49.0.1.156.44.3:SZ-FT-20261128-0417", imported.GetProperty("identifier").GetString());
        Assert.Equal(["zh-CN", "zh-TW", "en"], imported.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(100, imported.GetProperty("radiusKm").GetDouble());

        var shown = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "cap-sz-0417", "--json")));
        Assert.Equal("draft", shown.GetProperty("status").GetString());
        Assert.Equal(100, shown.GetProperty("radiusKm").GetDouble());

        var file = Path.Combine(fixture.WorkingDirectory, "cap-sz-0417.xml");
        var written = Json(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", "cap-sz-0417", "--out", file, "--json")));
        Assert.Equal(("cap-sz-0417", "Alert"), (written.GetProperty("identifier").GetString(), written.GetProperty("msgType").GetString()));
        var exported = await File.ReadAllBytesAsync(file);
        Assert.Empty(CapSamples.SchemaErrors(exported));
        var again = CapImport.Read(exported);
        Assert.Equal("cap-sz-0417", again.CaseId);
        Assert.Equivalent(CapImport.Read(await File.ReadAllBytesAsync(sample)).Definition, again.Definition, strict: true);

        // Without --out the same document goes to standard output.
        var printed = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "export", "cap-sz-0417"));
        Assert.Equal(Encoding.UTF8.GetString(exported).TrimEnd(), printed.StandardOutput.TrimEnd());

        // The export is an import: read from standard input this time. Its identifier names the case it came from, so it needs another id.
        await using var piped = RunningProcess.Start(Shell($"exec dotnet \"{ConsoleProcess.Assembly}\" case import - --case-id cap-sz-0417-copy --json < \"{file}\""), "alerts case import -");
        Assert.True(await piped.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, piped.Tail());
        var copy = JsonDocument.Parse(string.Join('\n', piped.StandardOutput)).RootElement;
        Assert.Equal(("cap-sz-0417-copy", "cap-sz-0417"), (copy.GetProperty("caseId").GetString(), copy.GetProperty("identifier").GetString()));
        var twice = await fixture.RunAsAdminAsync("case", "import", file);
        Assert.True(twice.ExitCode == 5 && twice.StandardError.Contains("already exists", StringComparison.Ordinal), twice.ToString());
    }

    public static TheoryData<string[], int, string> Errors => new()
    {
        { ["case", "import", "no-such-file.xml"], 2, "file no-such-file.xml: not found" },
        { ["case", "import", CapSamples.PathOf("gz-polygon-only.xml")], 2, "CAP element <circle>: info[1] (en) gives its area only as 1 polygon(s)" },
        { ["case", "import", CapSamples.PathOf("gz-two-circles.xml")], 2, "CAP element <circle>: info[1] (en) has 2 circles" },
        { ["case", "import", CapSamples.PathOf("billion-laughs.xml")], 2, "CAP element <!DOCTYPE>: a DTD is refused" },
        { ["case", "import", CapSamples.PathOf("gz-cap11.xml")], 2, "not a CAP 1.2 alert" },
        { ["case", "import", CapSamples.PathOf("gz-circle.xml"), "--case-id", "bad id"], 2, "case-id \"bad id\" is invalid" },
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
