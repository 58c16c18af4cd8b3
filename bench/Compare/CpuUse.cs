using System.Diagnostics;

namespace Alerts.Bench.Compare;

/// <summary>
/// Processor time over a stretch of a run: the bench's own process (for ours: the silo and its client) and the whole
/// machine (with the database or Redis server). On a saturated machine the rate a system reaches is its cores divided
/// by the processor time one update costs, so this says what bounds an ingest rate. The bench process's allocations
/// and the time its threads were paused for garbage collection say how much of its share is the collector's.
/// </summary>
public sealed record CpuUse(double ProcessSeconds, double MachineBusySeconds, double MachineSeconds, long AllocatedBytes = 0, double GcPauseSeconds = 0, int Gen2Collections = 0)
{
    /// <summary>The processor time outside the bench process (a database server, Redis).</summary>
    public double OthersSeconds => Math.Max(0, MachineBusySeconds - ProcessSeconds);

    /// <summary>Starts measuring; <see cref="Meter.Stop"/> gives the use since.</summary>
    public static Meter Start() => new(Process.GetCurrentProcess().TotalProcessorTime, MachineTicks(), GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration(), GC.CollectionCount(2));

    /// <summary>A measurement under way.</summary>
    public sealed class Meter(TimeSpan processStart, (long Busy, long Total) machineStart, long allocatedStart, TimeSpan pauseStart, int gen2Start)
    {
        /// <summary>The processor time since <see cref="Start"/>.</summary>
        public CpuUse Stop()
        {
            var process = Process.GetCurrentProcess().TotalProcessorTime - processStart;
            var (busy, total) = MachineTicks();
            return new CpuUse(process.TotalSeconds, (busy - machineStart.Busy) / TicksPerSecond, (total - machineStart.Total) / TicksPerSecond,
                GC.GetTotalAllocatedBytes(precise: true) - allocatedStart, (GC.GetTotalPauseDuration() - pauseStart).TotalSeconds, GC.CollectionCount(2) - gen2Start);
        }
    }

    // /proc/stat counts in USER_HZ, 100 a second on Linux.
    private const double TicksPerSecond = 100;

    // The first line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal... (idle and iowait are not busy).
    private static (long Busy, long Total) MachineTicks()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }
}
