using Alerts.GrainInterfaces;
using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>
/// The compact tables' own account of their heap bytes (what the bench's memory split adds up) against the runtime:
/// exactly what constructing one allocates. Grown and shrunk tables are held to the live heap in a process of their own
/// (`Alerts.Bench.Tests`' TableHeapCheckTests: in this process other tests' objects come and go between two readings).
/// </summary>
public sealed class HeapBytesTests
{
    [Fact]
    public void A_new_table_and_index_account_for_exactly_what_constructing_them_allocates()
    {
        // Once first: static initialisers allocate on first use.
        GC.KeepAlive((new ResidentTable(), new DirectoryTable(5), new UserSlotIndex()));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var residents = new ResidentTable();
        Assert.Equal(GC.GetAllocatedBytesForCurrentThread() - before, residents.HeapBytes);

        before = GC.GetAllocatedBytesForCurrentThread();
        var directory = new DirectoryTable(5);
        Assert.Equal(GC.GetAllocatedBytesForCurrentThread() - before, directory.HeapBytes);

        before = GC.GetAllocatedBytesForCurrentThread();
        var index = new UserSlotIndex();
        Assert.Equal(GC.GetAllocatedBytesForCurrentThread() - before, index.HeapBytes);
    }
}
