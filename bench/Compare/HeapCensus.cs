using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace Alerts.Bench.Compare;

/// <summary>
/// This process's objects counted by kind, from a heap dump of itself read with ClrMD: what the silo's memory is made
/// of beyond the tables the breakdown rebuilds. An array or a string is counted with the type of the object that holds
/// it ("Int32[] in UserSlotIndex"), so the tables' own arrays can be told from a buffer pool's.
/// </summary>
public sealed class HeapCensus : IDisposable
{
    // Reading a 10 M-resident dump takes minutes; a reader stuck far longer is stopped.
    private static readonly TimeSpan LongestRead = TimeSpan.FromMinutes(30);

    // Only the path of the counts is kept in memory: a census held in the heap would be counted by the next reading.
    private readonly string _countsPath;

    private HeapCensus(string countsPath) => _countsPath = countsPath;

    /// <summary>Deletes the counts' file.</summary>
    public void Dispose() => File.Delete(_countsPath);

    /// <summary>
    /// Dumps this process into <paramref name="folder"/> and counts its objects in a process of its own (reading a
    /// dump allocates; here it would be counted), into a file there. Take it right after a full compacting
    /// collection: every object in the dump is counted, so garbage made since the collection would be too.
    /// </summary>
    public static HeapCensus Take(string folder)
    {
        var name = Path.Combine(folder, $"alerts-census-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var counted = false;
        try
        {
            // The runtime's createdump writes it while this process's threads are suspended.
            new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, name + ".dmp");
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Alerts.Bench.exe" : "Alerts.Bench"), ["heap-census", name + ".dmp", name + ".tsv"])
            {
                RedirectStandardError = true,
            };
            using var reader = Process.Start(start) ?? throw new InvalidOperationException("the heap census process did not start");
            var errors = reader.StandardError.ReadToEndAsync();
            if (!reader.WaitForExit(LongestRead))
            {
                reader.Kill(entireProcessTree: true);
                throw new TimeoutException($"the heap census of {name}.dmp took more than {LongestRead}");
            }

            if (reader.ExitCode != 0) throw new InvalidOperationException($"the heap census of {name}.dmp failed ({reader.ExitCode}): {errors.Result}");
            counted = true;
            return new HeapCensus(name + ".tsv");
        }
        finally
        {
            File.Delete(name + ".dmp");
            if (!counted) File.Delete(name + ".tsv");
        }
    }

    /// <summary>What <paramref name="after"/> holds beyond <paramref name="before"/>, by kind (unchanged kinds left out), largest gain first.</summary>
    public static IReadOnlyList<(string Kind, long Count, long Bytes)> Gained(HeapCensus before, HeapCensus after)
    {
        var was = before.Read();
        var now = after.Read();
        return now
            .Select(k => (Kind: k.Key, Count: k.Value.Count - (was.TryGetValue(k.Key, out var b) ? b.Count : 0), Bytes: k.Value.Bytes - b.Bytes))
            .Concat(was.Where(k => !now.ContainsKey(k.Key)).Select(k => (Kind: k.Key, Count: -k.Value.Count, Bytes: -k.Value.Bytes)))
            .Where(k => k.Count != 0 || k.Bytes != 0)
            .OrderByDescending(k => k.Bytes)
            .ToList();
    }

    private Dictionary<string, (long Count, long Bytes)> Read()
    {
        var kinds = new Dictionary<string, (long Count, long Bytes)>();
        foreach (var line in File.ReadLines(_countsPath))
        {
            var fields = line.Split('\t');
            kinds[fields[0]] = (long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture));
        }

        return kinds;
    }

    /// <summary>Counts the objects of the dump at <paramref name="path"/> (written by this runtime) into <paramref name="countsPath"/>: "kind, count, bytes" lines.</summary>
    public static void Write(string path, string countsPath)
    {
        using var output = new StreamWriter(countsPath);
        using var target = DataTarget.LoadDump(path);
        // The runtime that wrote the dump is this one: its own data-access library reads it (no symbol server here;
        // the version ClrMD reads from a Linux dump comes out 0.0, so the match is not checked).
        var dac = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
        using var runtime = target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
        foreach (var (kind, (count, bytes)) in CountObjects(runtime.Heap))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}\t{count}\t{bytes}"));
    }

    // Every object, an array or string named with its first holder that is not itself an array.
    private static Dictionary<string, (long Count, long Bytes)> CountObjects(ClrHeap heap)
    {
        var holders = new Dictionary<ulong, ulong>();
        foreach (var obj in heap.EnumerateObjects())
            foreach (var child in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: false))
                holders.TryAdd(child, obj.Address);

        var kinds = new Dictionary<string, (long Count, long Bytes)>();
        foreach (var obj in heap.EnumerateObjects())
        {
            if (obj.IsFree) continue;
            var type = obj.Type?.Name ?? "(unknown)";
            var kind = obj.IsArray || type == "System.String" ? $"{type}{HolderOf(heap, holders, obj.Address)}" : type;
            kinds[kind] = kinds.TryGetValue(kind, out var k) ? (k.Count + 1, k.Bytes + (long)obj.Size) : (1, (long)obj.Size);
        }

        return kinds;
    }

    // Up through arrays (a page array's pages are held by the page array, which a table holds), at most a few steps.
    private static string HolderOf(ClrHeap heap, Dictionary<ulong, ulong> holders, ulong address)
    {
        for (var step = 0; step < 4 && holders.TryGetValue(address, out var holder); step++)
        {
            var type = heap.GetObjectType(holder);
            if (type is null) return "";
            if (!type.IsArray) return $" in {type.Name}";
            address = holder;
        }

        return "";
    }
}
