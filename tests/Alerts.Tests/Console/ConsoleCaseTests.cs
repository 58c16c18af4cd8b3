using System.Text.Json;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>The <c>alerts</c> console and simulator as real processes against a real embedded silo: a case's whole life, and every error a person can act on.</summary>
public sealed class ConsoleCaseTests(ConsoleSilo fixture) : IClassFixture<ConsoleSilo>
{
    private const string Link = "https://alerts.example/c/console";

    [Fact]
    public async Task A_case_is_filed_dispatched_watched_widened_and_resolved_and_the_watch_matches_what_the_devices_received()
    {
        await using var simulator = ConsoleProcess.Start(fixture.WorkingDirectory, fixture.Environment(fixture.GatewayCredential),
            "simulate", "--city", "Shenzhen", "--region-km", "60", "--population", "20000", "--seed", "7", "--moving", "0", "--name", "sim-case", "--json");
        var ready = Json(await simulator.WaitForLineAsync(l => l.Contains("\"ready\"", StringComparison.Ordinal), TimeSpan.FromMinutes(2)));
        Assert.Equal(20_000, ready.GetProperty("residents").GetInt32());

        var opened = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "open", "sz-console", "--lat", "22.5431", "--lon", "114.0579",
            "--radius-km", "20", "--message", "Missing boy, 6, red jacket, last seen at Futian station", "--link", Link, "--json"))).StandardOutput);
        Assert.Equal("open", opened.GetProperty("status").GetString());
        Assert.Equal(20, opened.GetProperty("radiusKm").GetDouble());

        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "dispatch", "sz-console"));
        var settled = LastJsonLine(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", "sz-console", "--json", "--timeout", "120")));
        Assert.Equal("dispatched", settled.GetProperty("status").GetString());
        var recipients = settled.GetProperty("recipients").GetInt64();
        Assert.InRange(recipients, 1_000, 19_999);
        Assert.Equal(recipients, settled.GetProperty("acknowledged").GetInt64());
        Assert.Equal(recipients, settled.GetProperty("handedToGateways").GetInt64());
        Assert.Equal(settled.GetProperty("cellsTotal").GetInt32(), settled.GetProperty("cellsDone").GetInt32());

        // Widening reaches only users newly inside; the watch settles again with more recipients.
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "widen", "sz-console", "--radius-km", "40"));
        var widened = LastJsonLine(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", "sz-console", "--json", "--timeout", "120")));
        var widenedRecipients = widened.GetProperty("recipients").GetInt64();
        Assert.True(widenedRecipients > recipients, $"widening to 40 km added nobody: {widenedRecipients} vs {recipients}");
        Assert.Equal(widenedRecipients, widened.GetProperty("acknowledged").GetInt64());

        var shown = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "sz-console", "--json"))).StandardOutput);
        Assert.Equal(widenedRecipients, shown.GetProperty("recipients").GetInt64());
        var human = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "sz-console"));
        Assert.Contains($"{widenedRecipients:N0}", human.StandardOutput);
        Assert.Contains("dispatched", human.StandardOutput);

        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "close", "sz-console", "--outcome", "resolved"));
        var listed = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "list", "--status", "resolved", "--json"))).StandardOutput);
        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("caseId").GetString() == "sz-console" && c.GetProperty("status").GetString() == "resolved");

        // Ctrl-C: the simulator prints what its devices received, which must be what the watch showed, each user once.
        await simulator.SignalAsync("INT");
        Assert.Equal(0, await simulator.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var summary = Json(simulator.StandardOutput.Last(l => l.Contains("\"cases\"", StringComparison.Ordinal)));
        var pushes = summary.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("caseId").GetString() == "sz-console");
        Assert.Equal(widenedRecipients, pushes.GetProperty("users").GetInt64());
        Assert.Equal(widenedRecipients, pushes.GetProperty("pushes").GetInt64());
        Assert.Equal(0, pushes.GetProperty("repeated").GetInt64());
    }

    [Fact]
    public async Task Stats_and_privacy_commands_change_what_the_system_counts()
    {
        var before = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("stats", "--json"))).StandardOutput);
        var optedOut = before.GetProperty("optedOut").GetInt64();

        Assert.Contains("opted out", (await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("user", "opt-out", "424242"))).StandardOutput);
        var after = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("stats", "--json"))).StandardOutput);
        Assert.Equal(optedOut + 1, after.GetProperty("optedOut").GetInt64());

        await ConsoleSilo.MustSucceed(fixture.RunAsGatewayAsync("user", "opt-out", "424242", "--undo"));
        var undone = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("stats", "--json"))).StandardOutput);
        Assert.Equal(optedOut, undone.GetProperty("optedOut").GetInt64());

        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("user", "opt-out", "424243"));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("user", "erase", "424243"));
        var erased = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("stats", "--json"))).StandardOutput);
        Assert.Equal(optedOut, erased.GetProperty("optedOut").GetInt64());

        var table = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("stats"));
        Assert.Contains("residents stored", table.StandardOutput);
        Assert.Contains("gateways subscribed", table.StandardOutput);
    }

    public static TheoryData<string, string[], int, string> Errors => new()
    {
        { "admin", ["case", "show", "no-such-case"], 4, "no case named no-such-case" },
        { "admin", ["case", "dispatch", "no-such-case"], 4, "no case named no-such-case" },
        { "admin", ["case", "open", "bad-lat", "--lat", "91", "--lon", "114", "--message", "m", "--link", Link], 2, "latitude 91 is invalid" },
        { "admin", ["case", "open", "bad-lon", "--lat", "22", "--lon", "-181", "--message", "m", "--link", Link], 2, "longitude -181 is invalid" },
        { "admin", ["case", "open", "bad-radius", "--lat", "22", "--lon", "114", "--radius-km", "5000", "--message", "m", "--link", Link], 2, "radius" },
        { "admin", ["case", "open", "bad-link", "--lat", "22", "--lon", "114", "--message", "m", "--link", "ftp://x"], 2, "link" },
        { "admin", ["case", "open", "no-lat", "--lon", "114", "--message", "m", "--link", Link], 2, "--lat" },
        { "admin", ["case", "open", "text-lat", "--lat", "north", "--lon", "114", "--message", "m", "--link", Link], 2, "north" },
        { "admin", ["case", "close", "x", "--outcome", "maybe"], 2, "maybe" },
        { "admin", ["case", "frobnicate"], 2, "frobnicate" },
        { "admin", ["user", "erase", "0"], 2, "user-id 0 is invalid" },
        { "admin", ["case", "watch", "x", "--refresh-ms", "1"], 2, "--refresh-ms" },
        { "gateway", ["case", "open", "gw-case", "--lat", "22", "--lon", "114", "--message", "m", "--link", Link], 3, "role gateway may not call" },
        { "admin", ["credential", "list"], 3, "may not call" },
        { "operator", ["credential", "revoke", "nobody-here"], 4, "nobody-here" },
        { "operator", ["credential", "create", "bad name", "--role", "admin"], 2, "name" },
        { "operator", ["credential", "create", "x", "--role", "king"], 2, "king" },
        { "wrong-secret", ["stats"], 3, "sign-in refused for admin-1" },
        { "unreachable", ["stats"], 6, "Could not connect" },
        { "missing-file", ["stats"], 2, "credential file" },
        { "admin", ["stats", "--gateway", "localhost"], 2, "gateway 'localhost' is invalid" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task An_error_is_one_clear_line_and_its_exit_code(string who, string[] args, int exitCode, string text)
    {
        var environment = fixture.Environment(who switch
        {
            "gateway" => fixture.GatewayCredential,
            "operator" => fixture.OperatorCredential,
            "missing-file" => Path.Combine(fixture.WorkingDirectory, "no-such.credential"),
            _ => fixture.AdminCredential,
        });
        if (who == "wrong-secret")
        {
            environment.Remove("ALERTS_CREDENTIAL_FILE");
            environment["ALERTS_CREDENTIAL"] = "admin-1:not-the-secret";
        }

        if (who == "unreachable") environment["ALERTS_GATEWAYS"] = $"127.0.0.1:{FreePorts.Next()}";
        var run = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, environment, args);

        Assert.True(run.ExitCode == exitCode, $"expected exit {exitCode}: {run}");
        Assert.Contains(text, run.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
        var lines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 2 && lines[0].StartsWith("alerts: ", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public async Task A_closed_case_cannot_be_dispatched_and_the_message_names_its_state()
    {
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "open", "closed-one", "--lat", "22.5", "--lon", "114", "--message", "m", "--link", Link));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "close", "closed-one", "--outcome", "cancelled"));
        var run = await fixture.RunAsAdminAsync("case", "dispatch", "closed-one");
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("Cancelled", run.StandardError);
        var again = await fixture.RunAsAdminAsync("case", "open", "closed-one", "--lat", "22.5", "--lon", "114", "--message", "m", "--link", Link);
        Assert.Equal(5, again.ExitCode);
        Assert.Contains("already exists", again.StandardError);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static JsonElement LastJsonLine(ConsoleRun run) => Json(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
}
