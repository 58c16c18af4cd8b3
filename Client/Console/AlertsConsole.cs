using System.CommandLine;

namespace Alerts.Cli;

/// <summary>The <c>alerts</c> command tree. Add a command by adding its <c>Create</c> to the group it belongs to.</summary>
public static class AlertsConsole
{
    /// <summary>Builds the tree.</summary>
    public static RootCommand Build()
    {
        var connection = new ConnectionOptions();
        var root = new RootCommand($"Alerts admin console: file and follow missing-child cases, manage users and credentials, simulate a city. {ExitCodes.Legend}");
        connection.AddTo(root);
        root.Add(Group("case", "File, approve, update, widen, resolve, cancel and follow cases, read their engagement (roles liaison, approver, viewer or admin)",
            [OpenCommand.Create(connection), .. LifecycleCommands.Create(connection), WidenCommand.Create(connection),
            ShowCommand.Create(connection), ListCommand.Create(connection), WatchCommand.Create(connection),
            CaseStatsCommand.Create(connection), SightingsCommand.Create(connection),
            ImportCommand.Create(connection), ExportCommand.Create(connection)]));
        root.Add(Group("user", "Privacy requests and tester enrollment for one user (role admin or gateway)",
            OptOutCommand.Create(connection), EraseCommand.Create(connection), TesterCommand.Create(connection)));
        root.Add(Group("audit", "Read and export the append-only log of admin actions (any role but gateway)", [.. AuditCommands.Create(connection)]));
        root.Add(Group("credential", "Create, revoke and list client credentials (role operator)",
            CreateCredentialCommand.Create(connection), RevokeCredentialCommand.Create(connection), ListCredentialsCommand.Create(connection)));
        root.Add(StatsCommand.Create(connection));
        root.Add(SettleCommand.Create(connection));
        root.Add(SimulateCommand.Create(connection));
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse exits with <see cref="ExitCodes.BadInput"/>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, as for every other error: scripts and people read the first line.
            var problems = parse.Errors.Select(e => string.Join(' ', e.Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            System.Console.Error.WriteLine($"alerts: {string.Join("; ", problems.Distinct())} (see --help)");
            return ExitCodes.BadInput;
        }

        return await parse.InvokeAsync(new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // Ctrl-C cancels the command's token; the simulator then prints its summary and disconnects.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        });
    }

    private static Command Group(string name, string description, params Command[] commands)
    {
        var group = new Command(name, description);
        foreach (var command in commands) group.Add(command);
        return group;
    }
}
