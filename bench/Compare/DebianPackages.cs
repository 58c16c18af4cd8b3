using System.Diagnostics;

namespace Alerts.Bench.Compare;

/// <summary>
/// Installs the Debian packages the comparison needs when they are missing (PostgreSQL 15's server, PostGIS 3 for it,
/// redis-server), with apt-get as root; nothing is started as a service (the harness starts its own servers).
/// </summary>
public static class DebianPackages
{
    private static readonly (string Package, Func<bool> Present)[] Needed =
    [
        ("postgresql-15", () => File.Exists("/usr/lib/postgresql/15/bin/pg_ctl")),
        ("postgresql-15-postgis-3", () => File.Exists("/usr/lib/postgresql/15/lib/postgis-3.so")),
        ("redis-server", () => File.Exists("/usr/bin/redis-server")),
    ];

    /// <summary>Installs what is missing; returns the packages it installed (empty when all were there).</summary>
    public static IReadOnlyList<string> EnsureInstalled(TextWriter log)
    {
        var missing = Needed.Where(n => !n.Present()).Select(n => n.Package).ToList();
        if (missing.Count == 0) return missing;
        log.WriteLine($"installing {string.Join(", ", missing)} (apt-get)");
        Run("apt-get", "update -qq");
        Run("apt-get", "install -y -qq " + string.Join(' ', missing));
        var still = Needed.Where(n => !n.Present()).Select(n => n.Package).ToList();
        if (still.Count > 0) throw new InvalidOperationException($"apt-get did not install {string.Join(", ", still)}");
        return missing;
    }

    private static void Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}; run as root?): {stderr} {stdout.Result}");
    }
}
