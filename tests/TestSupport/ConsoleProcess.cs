using System.Diagnostics;

namespace Alerts.TestSupport;

/// <summary>The <c>alerts</c> console (built beside the tests) run as a real process, as an admin or a script would.</summary>
public static class ConsoleProcess
{
    /// <summary>
    /// Where the console's entry assembly is: in its own build output (same configuration as the tests), because
    /// a plain console app carries packages the tests' ASP.NET shared framework provides instead.
    /// </summary>
    public static string Assembly { get; } = Locate();

    private static string Locate()
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (tests.Name, tests.Parent!.Name);
        for (var folder = tests; folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "Client", "Console", "bin", configuration, framework, "alerts.dll");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"the console is not built: no Client/Console/bin/{configuration}/{framework}/alerts.dll above {tests.FullName}");
    }

    /// <summary>Runs <c>alerts args</c> in <paramref name="workingDirectory"/> to its end.</summary>
    public static async Task<ConsoleRun> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        await using var process = Start(workingDirectory, environment, args);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        return new ConsoleRun(exitCode, string.Join('\n', process.StandardOutput), string.Join('\n', process.StandardError));
    }

    /// <summary>Starts <c>alerts args</c> and leaves it running (the simulator).</summary>
    public static RunningProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        info.ArgumentList.Add(Assembly);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // A test's console has no terminal: keep its ALERTS_* settings to what the test gives.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ALERTS_", StringComparison.Ordinal) && k != "ALERTS_TESTDATA").ToList()) info.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return RunningProcess.Start(info, "alerts " + string.Join(' ', args.Take(2)));
    }
}

/// <summary>How a console command ended: exit code, standard output, standard error.</summary>
public sealed record ConsoleRun(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}
