using System.Text.Json;
using Alerts.TestSupport;
using Xunit.Abstractions;

namespace Alerts.Tests;

/// <summary>
/// The simulator's residents open, share and report sightings of the alerts they get, as real processes against a real
/// embedded silo: what the simulator says it reported is what <c>alerts case stats</c> counted, at the rates asked for.
/// </summary>
public sealed class SimulationEngagementTests(ConsoleSilo fixture, ITestOutputHelper log) : IClassFixture<ConsoleSilo>
{
    private const int Residents = 5_000;

    [Fact]
    public async Task The_residents_engagement_reaches_the_case_statistics_at_the_rates_asked_for()
    {
        const string caseId = "sz-sim-engage";
        await using var simulator = ConsoleProcess.Start(fixture.WorkingDirectory, fixture.Environment(fixture.GatewayCredential),
            "simulate", "--city", "Shenzhen", "--region-km", "25", "--population", $"{Residents}", "--seed", "11", "--moving", "0", "--first-user-id", "7000000",
            "--open-rate", "0.3", "--share-rate", "0.1", "--sighting-rate", "0.01", "--name", "gateway-1/sim-engage", "--json");
        await simulator.WaitForLineAsync(l => l.Contains("\"ready\"", StringComparison.Ordinal), TimeSpan.FromMinutes(2));

        // Around the same place as the residents' region and wider: the case reaches every resident.
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(["case", "open", caseId, "--lat", "22.54554", "--lon", "114.0683", "--radius-km", "40",
            "--message", "Missing girl, 7, yellow raincoat", "--link", "https://alerts.example/c/sim-engage", .. ConsoleSilo.CaseDetails("--submit")]));
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "approve", caseId));
        var settled = LastJsonLine(await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "watch", caseId, "--json", "--timeout", "120")));
        Assert.Equal(Residents, settled.GetProperty("acknowledged").GetInt64());

        // Ctrl-C: the simulator reports what is still queued before it prints its summary.
        await simulator.SignalAsync("INT");
        Assert.Equal(0, await simulator.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var summary = JsonDocument.Parse(simulator.StandardOutput.Last(l => l.Contains("\"cases\"", StringComparison.Ordinal))).RootElement;
        var reported = summary.GetProperty("engagement").EnumerateArray().Single(e => e.GetProperty("caseId").GetString() == caseId);
        var stats = JsonDocument.Parse((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "stats", caseId, "--json"))).StandardOutput).RootElement;
        log.WriteLine($"simulator: {reported}");
        log.WriteLine($"stats: delivered {stats.GetProperty("delivered")}, opened {stats.GetProperty("opened")} ({stats.GetProperty("openedByPushed")} pushed, {stats.GetProperty("opensThroughShares")} through shares), shares {stats.GetProperty("shares")}, depth {stats.GetProperty("maxShareDepth")}, sightings {stats.GetProperty("sightings")}");

        Assert.Equal((0L, 0L, 0L, 0L), (reported.GetProperty("refused").GetInt64(), reported.GetProperty("rejected").GetInt64(),
            reported.GetProperty("failed").GetInt64(), stats.GetProperty("refused").GetInt64()));
        foreach (var (simulated, counted) in new[] { ("delivered", "delivered"), ("opened", "opened"), ("openedByPushed", "openedByPushed"),
            ("opensThroughShares", "opensThroughShares"), ("shared", "shares"), ("sightings", "sightings"), ("maxShareDepth", "maxShareDepth") })
            Assert.True(reported.GetProperty(simulated).GetInt64() == stats.GetProperty(counted).GetInt64(), $"{simulated}: simulator {reported} vs stats {stats}");

        var delivered = stats.GetProperty("delivered").GetInt64();
        var openers = stats.GetProperty("openedByPushed").GetInt64();
        Assert.Equal(Residents, delivered);
        Assert.InRange((double)openers / delivered, 0.25, 0.35);
        // Residents share at generation 1; people who came through their links share at 2 and 3.
        var byResidents = stats.GetProperty("generations").EnumerateArray().Single(g => g.GetProperty("generation").GetInt32() == 1).GetProperty("shares").GetInt64();
        Assert.InRange((double)byResidents / openers, 0.07, 0.13);
        Assert.InRange(stats.GetProperty("sightings").GetInt64(), 1, 50);
        // Each share's link is opened by two people outside the population (--share-reach 2), some of whom share it on.
        Assert.Equal(2 * stats.GetProperty("shares").GetInt64(), stats.GetProperty("opensThroughShares").GetInt64());
        Assert.InRange(stats.GetProperty("maxShareDepth").GetInt32(), 2, 3);
    }

    [Theory]
    [InlineData("--open-rate", "1.5")]
    [InlineData("--share-rate", "-0.1")]
    [InlineData("--sighting-rate", "2")]
    public async Task A_rate_outside_zero_to_one_is_one_clear_line_naming_the_option(string option, string value)
    {
        var run = await fixture.RunAsGatewayAsync("simulate", "--population", "10", option, value);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith($"alerts: {option} {value} is invalid: must be within [0, 1]", run.StandardError, StringComparison.Ordinal);
        Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static JsonElement LastJsonLine(ConsoleRun run) =>
        JsonDocument.Parse(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
}
