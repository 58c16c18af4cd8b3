using System.Numerics;
using System.Runtime.CompilerServices;

namespace Alerts.Grains;

/// <summary>
/// A growable array of structs kept in pages small enough to stay off the large object heap. A small array is one page
/// grown by a quarter; past one page it grows a page at a time, so a big table neither copies itself nor leaves room empty,
/// and the holes a grown large array leaves behind (the GC does not compact that heap) never appear.
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
            if (Capacity < PageSize)
            {
                // One partial page: grow it by a quarter (at least 8), up to a whole page. Most cells stay below a page
                // for good, so what this leaves empty is held for their lifetime; a copy of a small page is cheap.
                var size = Math.Min(PageSize, Math.Max(count, Math.Max(8, Capacity + Capacity / 4)));
                if (_pages.Length == 0) _pages = [new T[size]];
                else Array.Resize(ref _pages[0], size);
                Capacity = size;
            }
            else
            {
                Array.Resize(ref _pages, _pages.Length + 1);
                _pages[^1] = new T[PageSize];
                Capacity += PageSize;
            }
        }
    }
}
