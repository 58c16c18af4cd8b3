using Alerts.TestSupport;

namespace Alerts.Bench.Compare;

/// <summary>
/// <c>compare [N] [--size 10m] [--reps R] [--ours postgres|sqlite]</c>: installs what is missing from Debian, starts a
/// durable PostgreSQL 15 with PostGIS and a Redis server (data in temp folders, loopback), runs the comparison, prints
/// the report and writes it to bench/results/compare-N.md, stops both servers. Exit code 1 when the recipient sets
/// disagree beyond the radius bands.
/// </summary>
public static class CompareCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = CompareOptions.Parse(args);
        var installed = DebianPackages.EnsureInstalled(Console.Out);
        if (installed.Count > 0) Console.WriteLine($"installed: {string.Join(", ", installed)}");
        // Durable commits (fsync on), 2 GB of shared buffers as in the residency benchmark, and checkpoints spaced out as
        // PostgreSQL's manual advises for large loads (after each checkpoint, the first change to a page writes the whole
        // page to the log); other settings default. PostGIS and ours share this server.
        using var postgres = PostgresServer.Start("-c shared_buffers=2GB -c max_wal_size=16GB -c checkpoint_timeout=30min");
        using var redis = RedisServer.Start();
        var result = await CompareRun.RunAsync(options, postgres, redis.Endpoint, Console.Out);
        var command = "dotnet run -c Release --project bench -- compare " + string.Join(' ', args);
        var report = CompareReport.Render(result, command.Trim());
        Console.WriteLine();
        Console.WriteLine(report);
        var folder = Path.Combine(RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"compare-{options.Users}.md");
        await File.WriteAllTextAsync(file, report);
        Console.WriteLine($"written to {file}");
        if (result.Agrees) return 0;
        Console.Error.WriteLine("the recipient sets disagree beyond the radius bands (see Agreement)");
        return 1;
    }

    // The folder holding Alerts.sln above the bench's binaries (else the current folder).
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alerts.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
