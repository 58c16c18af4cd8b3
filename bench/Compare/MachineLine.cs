using System.Globalization;
using System.Runtime.InteropServices;

namespace Alerts.Bench.Compare;

/// <summary>The machine a comparison ran on, as one line: cores, RAM, OS, .NET and the servers' versions.</summary>
public static class MachineLine
{
    /// <summary>"2 cores, 24 GiB RAM, Debian GNU/Linux 12 (bookworm), .NET 10.0.x, PostgreSQL … / PostGIS …, Redis …".</summary>
    public static string Describe(params string[] servers)
    {
        var memTotalKb = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault()
            : 0;
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").Where(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)).Select(l => l[12..].Trim('"')).FirstOrDefault()
            : null;
        return string.Join(", ", new[]
        {
            $"{Environment.ProcessorCount} cores",
            string.Create(CultureInfo.InvariantCulture, $"{memTotalKb / 1024.0 / 1024.0:F1} GiB RAM"),
            os ?? RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
        }.Concat(servers));
    }
}
