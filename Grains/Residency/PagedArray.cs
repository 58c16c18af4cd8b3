using System.Numerics;
using System.Runtime.CompilerServices;

namespace Alerts.Grains;

/// <summary>
/// A growable array of structs kept in pages small enough to stay off the large object heap. Only the last page is
/// ever partial, and it grows by a quarter up to a whole page: a big table never copies more than a page, leaves at
/// most a quarter of a page empty, and the holes a grown large array leaves behind (the GC does not compact that
/// heap) never appear.
/// </summary>
internal sealed class PagedArray<T> where T : struct
{
    // The largest power of two whose page stays under the 85,000-byte large-object threshold.
    private static readonly int PageShift = BitOperations.Log2((uint)(80_000 / Unsafe.SizeOf<T>()));
    private static readonly int PageMask = (1 << PageShift) - 1;
    private T[][] _pages = [];

    /// <summary>Elements a page holds.</summary>
    public static int PageSize => 1 << PageShift;

    /// <summary>How many elements fit without growing.</summary>
    public int Capacity { get; private set; }

    /// <summary>The element at <paramref name="index"/> (below <see cref="Capacity"/>), by reference.</summary>
    public ref T this[int index] => ref _pages[index >> PageShift][index & PageMask];

    /// <summary>The first <paramref name="count"/> elements of page <paramref name="page"/>.</summary>
    public Span<T> Page(int page, int count) => _pages[page].AsSpan(0, count);

    /// <summary>Bytes this array holds on the heap: itself, its page list and its pages (the empty list is shared, not counted).</summary>
    public long HeapBytes =>
        Grains.HeapBytes.OfObject(IntPtr.Size + sizeof(int))
        + (_pages.Length == 0 ? 0 : Grains.HeapBytes.OfArray(_pages.Length, IntPtr.Size) + _pages.Sum(page => Grains.HeapBytes.OfArray(page.Length, Unsafe.SizeOf<T>())));

    /// <summary>Grows until at least <paramref name="count"/> elements fit.</summary>
    public void EnsureCapacity(int count)
    {
        while (Capacity < count)
        {
            var last = _pages.Length - 1;
            if (last >= 0 && _pages[last].Length < PageSize)
            {
                // The last page is partial: grow it by a quarter (at least 8), up to a whole page. Most tables stop
                // growing for good with their last page partial, so what it leaves empty is held for their lifetime;
                // a copy of one page is cheap.
                var length = _pages[last].Length;
                var size = Math.Min(PageSize, Math.Max(count - last * PageSize, Math.Max(8, length + length / 4)));
                Array.Resize(ref _pages[last], size);
                Capacity += size - length;
            }
            else
            {
                // A new page starts at an eighth (a table that filled a page is likely to go on growing), or 8.
                var size = Math.Min(PageSize, Math.Max(count - _pages.Length * PageSize, _pages.Length == 0 ? 8 : PageSize / 8));
                Array.Resize(ref _pages, _pages.Length + 1);
                _pages[^1] = new T[size];
                Capacity += size;
            }
        }
    }
}
