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
            "simulate", "--city", "Shenzhen", "--region-km", "60", "--population", "20000", "--seed", "7", "--moving", "0", "--name", "gateway-1/sim-case", "--json");
        var ready = Json(await simulator.WaitForLineAsync(l => l.Contains("\"ready\"", StringComparison.Ordinal), TimeSpan.FromMinutes(2)));
        Assert.Equal(20_000, ready.GetProperty("residents").GetInt32());

        var opened = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(["case", "open", "sz-console", "--lat", "22.5431", "--lon", "114.0579",
            "--radius-km", "20", "--message", "Missing boy, 6, red jacket, last seen at Futian station", "--link", Link, .. ConsoleSilo.CaseDetails("--submit", "--json")]))).StandardOutput);
        Assert.Equal("awaitingApproval", opened.GetProperty("status").GetString());
        Assert.Equal(20, opened.GetProperty("radiusKm").GetDouble());

        // The two-person rule: the admin who filed it cannot send it; a second admin can.
        var self = await fixture.RunAsAdminAsync("case", "approve", "sz-console");
        Assert.True(self.ExitCode == 3 && self.StandardError.Contains("two-person rule", StringComparison.Ordinal), self.ToString());
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "approve", "sz-console"));
        var settled = LastJsonLine(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", "sz-console", "--json", "--timeout", "120")));
        Assert.Equal("active", settled.GetProperty("status").GetString());
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
        // Narrowing is refused in the unit the admin gave.
        var narrowing = await fixture.RunAsAdminAsync("case", "widen", "sz-console", "--radius-km", "30");
        Assert.Equal(2, narrowing.ExitCode);
        Assert.Contains("(30 km) must be larger than the current 40000 (40 km)", narrowing.StandardError);

        // An update goes to everyone reached, once each; the record shows it with its count once it is done.
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "update", "sz-console", "--message", "Update: now wearing a blue cap"));
        var shown = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "sz-console", "--json"))).StandardOutput);
        Assert.Equal(widenedRecipients, shown.GetProperty("progress").GetProperty("recipients").GetInt64());
        Assert.Equal("admin-1", shown.GetProperty("record").GetProperty("filedBy").GetString());
        Assert.Equal("admin-2", shown.GetProperty("record").GetProperty("approvedBy").GetString());
        var human = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "sz-console"));
        Assert.Contains($"{widenedRecipients:N0}", human.StandardOutput);
        Assert.Contains("active", human.StandardOutput);
        Assert.Contains("Li Wei", human.StandardOutput);
        Assert.Contains("notice 1", human.StandardOutput);

        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "resolve", "sz-console", "--message", "Li Wei is home. Thank you."));
        var listed = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "list", "--status", "resolved", "--json"))).StandardOutput);
        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("caseId").GetString() == "sz-console" && c.GetProperty("status").GetString() == "resolved");

        // The watch settles once the update and the closing message have gone to everyone and been acknowledged.
        var closed = LastJsonLine(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", "sz-console", "--json", "--timeout", "120")));
        Assert.Equal(("resolved", 0), (closed.GetProperty("status").GetString(), closed.GetProperty("noticesPending").GetInt32()));
        await simulator.SignalAsync("INT");
        Assert.Equal(0, await simulator.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var summary = Json(simulator.StandardOutput.Last(l => l.Contains("\"cases\"", StringComparison.Ordinal)));
        var kinds = summary.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("caseId").GetString() == "sz-console").ToArray();

        // Ctrl-C: the simulator prints what its devices received, per kind: the alert, the update and the closing message
        // each reached every recipient exactly once.
        foreach (var kind in new[] { "alert", "update", "resolved" })
        {
            var pushes = kinds.Single(c => c.GetProperty("kind").GetString() == kind);
            Assert.Equal(widenedRecipients, pushes.GetProperty("users").GetInt64());
            Assert.Equal(widenedRecipients, pushes.GetProperty("pushes").GetInt64());
            Assert.Equal(0, pushes.GetProperty("repeated").GetInt64());
        }
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
        Assert.Contains("residency to settle", table.StandardOutput);
        var unsettled = erased.GetProperty("unsettled");
        Assert.Equal((0, 0), (unsettled.GetProperty("owedRemovals").GetInt32(), unsettled.GetProperty("awaitingAnswer").GetInt32()));

        // Nothing failed here, so an operator's settle finds nothing left (what a failure leaves: ReportFailureTests).
        Assert.Contains("residency settled: nothing left", (await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("settle"))).StandardOutput);
        var settled = Json((await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("settle", "--json"))).StandardOutput);
        Assert.True(settled.GetProperty("isSettled").GetBoolean());
    }

    private static string[] Open(string caseId, string lat, string lon, params string[] extra) =>
        ["case", "open", caseId, "--lat", lat, "--lon", lon, "--message", "m", "--link", Link, .. ConsoleSilo.CaseDetails(extra)];

    public static TheoryData<string, string[], int, string> Errors => new()
    {
        { "admin", ["case", "show", "no-such-case"], 4, "no case named no-such-case" },
        { "admin", ["case", "sightings", "no-such-case"], 4, "no case named no-such-case" },
        { "admin", Open("no-offset", "22", "114", "--last-seen-at", "2026-11-29T14:05"), 2, "--last-seen-at \"2026-11-29T14:05\" has no offset" },
        { "admin", Open("huge-ring", "22", "114", "--ring", "1e10d:200"), 2, "\"1e10d\" is too long" },
        { "admin", ["case", "extend", "x", "--hours", "1e12"], 2, "--hours 1000000000000 is invalid" },
        { "both-locations", ["stats"], 2, "ALERTS_MEMBERSHIP and ALERTS_GATEWAYS are both given" },
        { "admin", ["stats", "--gateway", "127.0.0.1:1", "--membership", "Host=127.0.0.1"], 2, "--membership and --gateway are both given" },
        { "both-credentials", ["stats"], 2, "ALERTS_CREDENTIAL and ALERTS_CREDENTIAL_FILE are both given" },
        { "admin", ["case", "approve", "no-such-case"], 4, "no case named no-such-case" },
        { "admin", ["case", "resolve", "no-such-case"], 4, "no case named no-such-case" },
        { "admin", Open("bad-lat", "91", "114"), 2, "latitude 91 is invalid" },
        { "admin", Open("bad-lon", "22", "-181"), 2, "longitude -181 is invalid" },
        { "admin", Open("bad-radius", "22", "114", "--radius-km", "5000"), 2, "must be at most 500000 m (500 km)" },
        { "admin", ["case", "widen", "x", "--radius-km", "0"], 2, "--radius-km 0 is invalid" },
        { "admin", ["case", "widen", "x", "--radius-km", "NaN"], 2, "--radius-km NaN is invalid" },
        { "admin", ["case", "open", "bad-link", "--lat", "22", "--lon", "114", "--message", "m", "--link", "ftp://x", .. ConsoleSilo.CaseDetails()], 2, "link" },
        { "admin", ["case", "open", "no-lat", "--lon", "114", "--message", "m", "--link", Link, .. ConsoleSilo.CaseDetails()], 2, "--lat" },
        { "admin", Open("text-lat", "north", "114"), 2, "north" },
        { "admin", Open("old-child", "22", "114", "--age", "30"), 2, "child.age 30" },
        { "admin", Open("bad-phone", "22", "114", "--contact-phone", "call me"), 2, "contactPhone" },
        { "admin", Open("bad-seen", "22", "114", "--last-seen-at", "yesterday"), 2, "--last-seen-at" },
        { "admin", Open("bad-ring", "22", "114", "--ring", "1y:200"), 2, "time unit 'y'" },
        { "admin", Open("narrow-ring", "22", "114", "--ring", "1h:50"), 2, "rings[0].radiusMeters" },
        { "admin", ["case", "open", "no-correction", "--lat", "22", "--lon", "114", "--message", "m", "--link", Link, "--child-name", "A"], 2, "--correction" },
        { "admin", ["case", "cancel", "x"], 2, "--reason" },
        { "admin", ["case", "extend", "x", "--hours", "-1"], 2, "--hours -1" },
        { "admin", ["case", "frobnicate"], 2, "frobnicate" },
        { "admin", ["user", "erase", "0"], 2, "user-id 0 is invalid" },
        { "admin", ["case", "watch", "x", "--refresh-ms", "1"], 2, "--refresh-ms" },
        { "admin", ["audit", "list", "--limit", "0"], 2, "limit 0" },
        { "gateway", Open("gw-case", "22", "114"), 3, "role gateway may not call" },
        { "gateway", ["audit", "list"], 3, "may not call" },
        { "gateway", ["settle"], 3, "role gateway may not call alerts.residency.Settle; needs operator or admin" },
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
        if (who == "both-locations") environment["ALERTS_MEMBERSHIP"] = "Host=127.0.0.1;Port=1";
        if (who == "both-credentials") environment["ALERTS_CREDENTIAL"] = "admin-1:not-the-secret";
        var run = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, environment, args);

        Assert.True(run.ExitCode == exitCode, $"expected exit {exitCode}: {run}");
        Assert.Contains(text, run.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
        var lines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 2 && lines[0].StartsWith("alerts: ", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public async Task An_explicit_gateway_and_credential_file_win_over_a_membership_and_credential_in_the_environment()
    {
        // The environment points at another cluster, as another admin; the options at this silo, as this admin.
        var environment = fixture.Environment(fixture.AdminCredential);
        var gateway = environment["ALERTS_GATEWAYS"];
        environment.Remove("ALERTS_GATEWAYS");
        environment.Remove("ALERTS_CREDENTIAL_FILE");
        environment["ALERTS_MEMBERSHIP"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=elsewhere";
        environment["ALERTS_CREDENTIAL"] = "admin-2:not-the-secret";

        var run = await ConsoleProcess.RunAsync(fixture.WorkingDirectory, environment, ["stats", "--gateway", gateway, "--credential-file", fixture.AdminCredential]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("residents", run.StandardOutput);
    }

    [Fact]
    public async Task A_cancelled_case_cannot_be_approved_and_the_message_names_its_state()
    {
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(Open("closed-one", "22.5", "114", "--submit")));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "cancel", "closed-one", "--reason", "filed by mistake"));
        var run = await fixture.RunAsApproverAsync("case", "approve", "closed-one");
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("it is Cancelled", run.StandardError);
        var again = await fixture.RunAsAdminAsync(Open("closed-one", "22.5", "114"));
        Assert.Equal(5, again.ExitCode);
        Assert.Contains("already exists", again.StandardError);
    }

    [Fact]
    public async Task A_drill_with_a_widening_schedule_is_filed_approved_and_extended_from_the_console()
    {
        var filed = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(Open("drill-1", "22.5", "114", "--exercise", "--ring", "90m:200", "--ring", "3h:300", "--submit", "--json")));
        Assert.True(Json(filed.StandardOutput).GetProperty("exercise").GetBoolean(), filed.StandardOutput);
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "approve", "drill-1"));
        var self = await fixture.RunAsAdminAsync("case", "extend", "drill-1", "--hours", "100");
        Assert.True(self.ExitCode == 3 && self.StandardError.Contains("two-person rule", StringComparison.Ordinal), self.ToString());
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "extend", "drill-1", "--hours", "100"));

        var record = Json((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "drill-1", "--json"))).StandardOutput).GetProperty("record");
        var definition = record.GetProperty("definition");
        Assert.True(definition.GetProperty("exercise").GetBoolean());
        Assert.Equal(["01:30:00/200000", "03:00:00/300000"],
            definition.GetProperty("rings").EnumerateArray().Select(r => $"{r.GetProperty("after").GetString()}/{r.GetProperty("radiusMeters").GetDouble()}"));
        var activeUntil = record.GetProperty("activeUntil").GetDateTimeOffset();
        var approvedAt = record.GetProperty("approvedAt").GetDateTimeOffset();
        Assert.True(activeUntil - approvedAt > TimeSpan.FromHours(99), $"extended to {activeUntil:O}, approved {approvedAt:O}");
        var human = await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "drill-1"));
        Assert.Contains("(drill)", human.StandardOutput);
        Assert.Contains("0 of 2 fired", human.StandardOutput);
    }

    [Fact]
    public async Task The_audit_log_lists_and_exports_every_admin_action_with_who_and_the_states()
    {
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(Open("audited", "22.5", "114")));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "submit", "audited"));
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "reject", "audited", "--reason", "photo missing"));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "cancel", "audited", "--reason", "duplicate of sz-0041"));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("user", "tester", "5151"));

        var listed = Json((await ConsoleSilo.MustSucceed(fixture.RunAsOperatorAsync("audit", "list", "--case", "audited", "--json"))).StandardOutput).EnumerateArray().ToList();
        Assert.Equal(["case.open", "case.submit", "case.reject", "case.cancel"], listed.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(["admin-1", "admin-1", "admin-2", "admin-1"], listed.Select(e => e.GetProperty("actor").GetString()));
        Assert.Equal(["None→Draft", "Draft→AwaitingApproval", "AwaitingApproval→Draft", "Draft→Cancelled"],
            listed.Select(e => $"{e.GetProperty("stateBefore").GetString()}→{e.GetProperty("stateAfter").GetString()}"));
        Assert.Equal("photo missing", listed[2].GetProperty("detail").GetString());

        var file = Path.Combine(fixture.WorkingDirectory, "audit.jsonl");
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("audit", "export", "--out", file));
        var exported = File.ReadAllLines(file).Select(Json).ToList();
        Assert.Contains(exported, e => e.GetProperty("subject").GetString() == "user:5151" && e.GetProperty("action").GetString() == "user.tester-enrolled");
        Assert.Equal(exported.Select(e => e.GetProperty("sequence").GetInt64()).Order(), exported.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.True(listed.All(l => exported.Any(e => e.GetProperty("sequence").GetInt64() == l.GetProperty("sequence").GetInt64())));
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static JsonElement LastJsonLine(ConsoleRun run) => Json(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
}
