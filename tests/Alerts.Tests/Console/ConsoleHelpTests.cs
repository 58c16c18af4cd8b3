using System.CommandLine;
using Alerts.Cli;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Every command of the real <c>alerts</c> executable answers <c>--help</c> with its usage and description.</summary>
public sealed class ConsoleHelpTests
{
    public static TheoryData<string> Commands()
    {
        var paths = new TheoryData<string>();
        void Walk(Command command, string prefix)
        {
            foreach (var sub in command.Subcommands)
            {
                var path = (prefix + " " + sub.Name).Trim();
                paths.Add(path);
                Walk(sub, path);
            }
        }

        paths.Add("");
        Walk(AlertsConsole.Build(), "");
        return paths;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_answers_help(string path)
    {
        var args = path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();
        var run = await ConsoleProcess.RunAsync(Path.GetTempPath(), null, args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.StandardOutput);
        Assert.Contains("alerts " + path, run.StandardOutput.Replace("  ", " ", StringComparison.Ordinal));
        var command = path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Aggregate((Command)AlertsConsole.Build(), (c, name) => c.Subcommands.Single(s => s.Name == name));
        Assert.Contains(command.Description!.Split(' ')[0], run.StandardOutput);
    }

    [Fact]
    public async Task The_root_help_lists_the_exit_codes()
    {
        var run = await ConsoleProcess.RunAsync(Path.GetTempPath(), null, "--help");
        Assert.Contains("2 bad input, 3 access denied, 4 not found, 5 wrong state, 6 cluster unreachable", run.StandardOutput.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal));
    }
}
