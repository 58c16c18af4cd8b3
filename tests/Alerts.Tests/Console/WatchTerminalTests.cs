using System.Text.Json;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary><c>alerts case watch</c> in a real pseudo-terminal (tmux): the live view redraws in place and ends on the case's true figures.</summary>
public sealed class WatchTerminalTests(ConsoleSilo fixture) : IClassFixture<ConsoleSilo>
{
    private static string Console => $"dotnet {ConsoleProcess.Assembly}";

    [Fact]
    public async Task The_live_view_redraws_in_place_and_ends_settled_on_the_figures_the_case_reports()
    {
        await using var simulator = ConsoleProcess.Start(fixture.WorkingDirectory, fixture.Environment(fixture.GatewayCredential),
            "simulate", "--city", "Shenzhen", "--region-km", "30", "--population", "5000", "--moving", "0", "--name", "gateway-1/sim-tty");
        await simulator.WaitForLineAsync(l => l.StartsWith("ready:", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(["case", "open", "tty-case", "--lat", "22.5431", "--lon", "114.0579", "--radius-km", "15",
            "--message", "Missing girl, 9, blue school uniform", "--link", "https://alerts.example/c/tty", .. ConsoleSilo.CaseDetails("--submit")]));
        await ConsoleSilo.MustSucceed(fixture.RunAsApproverAsync("case", "approve", "tty-case"));

        await using var terminal = await Terminal.StartAsync($"{Console} case watch tty-case --refresh-ms 100", fixture.Environment(fixture.AdminCredential), fixture.WorkingDirectory);
        var screen = await terminal.WaitForAsync("EXITED", TimeSpan.FromMinutes(2));

        Assert.Contains("EXITED 0", screen);
        var shown = JsonDocument.Parse((await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync("case", "show", "tty-case", "--json"))).StandardOutput).RootElement;
        var progress = shown.GetProperty("progress");
        var recipients = progress.GetProperty("recipients").GetInt64();
        Assert.True(recipients > 0, "the case reached nobody");
        Assert.Contains("case tty-case", screen);
        Assert.Contains("active (settled)", screen);
        Assert.Contains("100%", screen);
        Assert.Contains("█", screen);
        Assert.Contains($"cells               {progress.GetProperty("cellsTotal").GetInt32():N0} / {progress.GetProperty("cellsTotal").GetInt32():N0}", screen);
        Assert.Contains($"recipients          {recipients:N0}", screen);
        Assert.Contains($"acknowledged        {recipients:N0}", screen);
        // Redrawn in place: one view on the screen, not a scrolling list of them.
        Assert.Equal(1, Count(screen, "recipients"));
    }

    [Fact]
    public async Task Ctrl_c_ends_the_watch_of_a_case_that_has_not_settled_with_exit_code_130()
    {
        await ConsoleSilo.MustSucceed(fixture.RunAsAdminAsync(["case", "open", "tty-open", "--lat", "22.5", "--lon", "114", "--message", "m", "--link", "https://alerts.example/c/o", .. ConsoleSilo.CaseDetails()]));
        await using var terminal = await Terminal.StartAsync($"{Console} case watch tty-open", fixture.Environment(fixture.AdminCredential), fixture.WorkingDirectory);
        await terminal.WaitForAsync("case tty-open", TimeSpan.FromMinutes(1));
        await terminal.SendKeysAsync("C-c");
        var screen = await terminal.WaitForAsync("EXITED", TimeSpan.FromMinutes(1));
        Assert.Contains("EXITED 130", screen);
        Assert.Contains("draft", screen);
    }

    [Fact]
    public async Task The_simulator_draws_a_progress_bar_while_it_loads_then_says_ready_and_ends_with_its_summary()
    {
        await using var terminal = await Terminal.StartAsync($"{Console} simulate --population 50000 --city Shenzhen --duration 1 --name gateway-1/sim-progress",
            fixture.Environment(fixture.GatewayCredential), fixture.WorkingDirectory);
        var screen = await terminal.WaitForAsync("EXITED", TimeSpan.FromMinutes(2));

        Assert.Contains("EXITED 0", screen);
        Assert.Contains("loading 50,000 residents", screen);
        Assert.Contains("100%", screen);
        Assert.Contains("━", screen);
        Assert.Contains("ready: 50,000 residents in Shenzhen (CN)", screen);
        Assert.Contains("repeated", screen);
        Assert.Contains("(no pushes)", screen);
    }

    private static int Count(string text, string word)
    {
        var count = 0;
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + word.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
