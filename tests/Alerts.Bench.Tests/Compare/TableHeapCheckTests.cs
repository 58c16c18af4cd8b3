using System.Diagnostics;
using System.Globalization;

namespace Alerts.Bench.Tests.Compare;

/// <summary>The memory split's source, the compact tables' own account of their bytes, agrees within 1 % with what the collector finds live in a process of its own.</summary>
public sealed class TableHeapCheckTests
{
    [Fact]
    public async Task The_tables_account_for_what_the_collector_finds_live()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Alerts.Bench.exe" : "Alerts.Bench"), "table-heap")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"table-heap exited {process.ExitCode}: {errors}");

        // "accounted <bytes> live <bytes>", about 200 MB of tables.
        var words = output.Trim().Split(' ');
        Assert.Equal(["accounted", "live"], new[] { words[0], words[2] });
        var accounted = long.Parse(words[1], CultureInfo.InvariantCulture);
        var live = long.Parse(words[3], CultureInfo.InvariantCulture);
        Assert.InRange(live, 150_000_000, 250_000_000);
        Assert.InRange(accounted, live * 0.99, live * 1.01);
    }
}
