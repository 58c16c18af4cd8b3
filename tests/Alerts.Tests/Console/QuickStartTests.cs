using System.Globalization;
using System.Text.RegularExpressions;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// Runs the README's quick start as written, so it cannot rot: a real silo (embedded, or a PostgreSQL cluster of
/// two), the real console for every <c>alerts</c> line, the real simulator. Two changes only: 20,000 residents
/// instead of a million, and the console reaches the test's silo through ALERTS_* variables (other tests use
/// the default ports).
/// </summary>
public sealed partial class QuickStartTests
{
    private const int Population = 20_000;

    [Fact]
    public Task The_readme_quick_start_works_on_the_embedded_silo() => RunAsync(cluster: false);

    [Fact]
    public Task The_readme_quick_start_works_on_a_postgresql_cluster() => RunAsync(cluster: true);

    private static async Task RunAsync(bool cluster)
    {
        var script = QuickStartScript.Load();
        Assert.Equal(4, script.Blocks.Count);
        var workingDirectory = Directory.CreateDirectory(ScratchFolder.NewFile("")).FullName;
        var clusterId = "quick-" + Guid.NewGuid().ToString("N")[..6];
        var environment = new Dictionary<string, string> { ["ALERTS_CLUSTER_ID"] = clusterId };
        var silos = new List<SiloProcess>();
        RunningProcess? simulator = null;
        ConsoleRun? watch = null;
        try
        {
            foreach (var block in script.Blocks)
            {
                foreach (var words in block)
                {
                    var line = string.Join(' ', words);
                    if (line == "dotnet run --project Silo")
                    {
                        silos.AddRange(cluster ? await StartClusterAsync(clusterId, workingDirectory, environment) : [await StartEmbeddedAsync(clusterId, workingDirectory, environment)]);
                    }
                    else if (words[0] is "alias" || (words[0] == "dotnet" && line.Contains("alias alerts=", StringComparison.Ordinal)))
                    {
                        // The alias names the console's build output; the test runs that same build.
                        Assert.EndsWith("/Client/Console/bin/Debug/net10.0/alerts", line, StringComparison.Ordinal);
                    }
                    else if (words[0] == "export")
                    {
                        var (key, value) = (words[1][..words[1].IndexOf('=')], words[1][(words[1].IndexOf('=') + 1)..]);
                        environment[key] = value;
                    }
                    else if (words[0] == "alerts" && words[1] == "simulate")
                    {
                        var args = words[1..].Select(w => w == "1000000" ? Population.ToString(CultureInfo.InvariantCulture) : w).ToArray();
                        Assert.Contains(Population.ToString(CultureInfo.InvariantCulture), args);
                        simulator = ConsoleProcess.Start(workingDirectory, environment, args);
                        await simulator.WaitForLineAsync(l => l.StartsWith("ready:", StringComparison.Ordinal), TimeSpan.FromMinutes(3));
                    }
                    else if (words[0] == "alerts")
                    {
                        var run = await ConsoleProcess.RunAsync(workingDirectory, environment, words[1..]);
                        Assert.True(run.ExitCode == 0, $"{line}\n{run}");
                        if (words[1..3].SequenceEqual(["case", "watch"])) watch = run;
                    }
                    else
                    {
                        Assert.Fail($"the quick start has a command the test does not know how to run: {line}");
                    }
                }
            }

            // What the watch showed at the end is what the simulated phones received, each once.
            Assert.NotNull(simulator);
            Assert.NotNull(watch);
            var settled = WatchLine().Match(watch.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
            Assert.True(settled.Success, watch.ToString());
            var recipients = long.Parse(settled.Groups["recipients"].Value, CultureInfo.InvariantCulture);
            Assert.True(recipients > 0, watch.ToString());
            Assert.Equal(settled.Groups["recipients"].Value, settled.Groups["acknowledged"].Value);

            await simulator.SignalAsync("INT");
            Assert.Equal(0, await simulator.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            var row = simulator.StandardOutput.Select(l => SummaryRow().Match(l)).Single(m => m.Success);
            Assert.Equal(recipients, Number(row.Groups["pushes"].Value));
            Assert.Equal(recipients, Number(row.Groups["users"].Value));
            Assert.Equal(0, Number(row.Groups["repeated"].Value));
        }
        finally
        {
            if (simulator is not null) await simulator.DisposeAsync();
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    // "dotnet run --project Silo" from the repository's root: content root Silo/, data in Silo/data.
    private static async Task<SiloProcess> StartEmbeddedAsync(string clusterId, string workingDirectory, Dictionary<string, string> environment)
    {
        var settings = ProcessSettings.For("sqlite", $"Data Source={Path.Combine(workingDirectory, "Silo", "data", "alerts.db")}", clusterId);
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Alerts:Security:", StringComparison.Ordinal)).ToList()) settings.Remove(key);
        settings["Alerts:PushBatchSize"] = "500";
        var silo = await SiloProcess.StartAsync(settings, "quick-start");
        environment["ALERTS_GATEWAYS"] = $"127.0.0.1:{silo.GatewayPort}";
        return silo;
    }

    // The README's cluster: PostgreSQL, `migrate`, silos with a configured operator; the console finds them in the membership table.
    private static async Task<List<SiloProcess>> StartClusterAsync(string clusterId, string workingDirectory, Dictionary<string, string> environment)
    {
        var database = PostgresServer.Instance.CreateDatabase();
        var settings = ProcessSettings.For("postgres", database, clusterId);
        settings["Alerts:PushBatchSize"] = "500";
        settings["Alerts:Security:Clients:1:Name"] = "operator";
        settings["Alerts:Security:Clients:1:SecretHash"] = ProcessSettings.TesterHash;
        settings["Alerts:Security:Clients:1:Roles:0"] = "operator";
        var migrated = await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.True(migrated.ExitCode == 0, migrated.Output);
        var silos = new List<SiloProcess> { await SiloProcess.StartAsync(settings, "quick-1"), await SiloProcess.StartAsync(settings, "quick-2") };
        // Owner-only, as the README has it: the console refuses a credential others may read.
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, "operator.credential"), $"operator:{ProcessSettings.Secret}");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(workingDirectory, "operator.credential"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        environment["ALERTS_MEMBERSHIP"] = database;
        environment["ALERTS_CREDENTIAL_FILE"] = "operator.credential";
        return silos;
    }

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"recipients (?<recipients>\d+), handed \d+, acknowledged (?<acknowledged>\d+), delivered \d+, opened \d+, shares \d+, sightings \d+, settled$")]
    private static partial Regex WatchLine();

    [GeneratedRegex(@"│\s*sz-0001\s*│\s*alert\s*│\s*(?<batches>[\d,]+)\s*│\s*(?<pushes>[\d,]+)\s*│\s*(?<users>[\d,]+)\s*│\s*(?<repeated>[\d,]+)\s*│")]
    private static partial Regex SummaryRow();
}
