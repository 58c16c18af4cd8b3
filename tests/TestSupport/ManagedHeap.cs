using System.Runtime;

namespace Alerts.TestSupport;

/// <summary>
/// The bytes the process's live objects take: read after a full, blocking, compacting collection (the large-object
/// heap compacted too), so the free space between objects that a collection has not yet squeezed out is not counted,
/// as Redis' used_memory counts what its allocator has handed out, not its fragmentation.
/// </summary>
public static class ManagedHeap
{
    /// <summary>Live managed bytes now.</summary>
    public static long LiveBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
