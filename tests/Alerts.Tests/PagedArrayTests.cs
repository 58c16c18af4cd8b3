using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>The residency tables' paged storage: only the last page is partial and grows by a quarter up to a whole page, and no element is lost across pages.</summary>
public sealed class PagedArrayTests
{
    [Fact]
    public void Pages_stay_under_the_large_object_threshold()
    {
        Assert.True(PagedArray<long>.PageSize * sizeof(long) < 85_000);
        Assert.True(PagedArray<long>.PageSize * 2 * sizeof(long) >= 85_000 / 2, "a page should not be needlessly small");
        Assert.Equal(8_192, PagedArray<long>.PageSize);
    }

    [Fact]
    public void Only_the_last_page_is_partial_and_it_grows_by_a_quarter_up_to_a_whole_page()
    {
        var array = new PagedArray<long>();
        Assert.Equal(0, array.Capacity);
        array.EnsureCapacity(1);
        Assert.Equal(8, array.Capacity);
        array.EnsureCapacity(9);
        Assert.Equal(10, array.Capacity);
        array.EnsureCapacity(100);
        Assert.Equal(100, array.Capacity); // a jump is met exactly
        array.EnsureCapacity(101);
        Assert.Equal(125, array.Capacity);
        array.EnsureCapacity(PagedArray<long>.PageSize - 1);
        Assert.Equal(PagedArray<long>.PageSize - 1, array.Capacity);
        array.EnsureCapacity(PagedArray<long>.PageSize);
        Assert.Equal(PagedArray<long>.PageSize, array.Capacity); // a quarter more, capped at a page
        var page = PagedArray<long>.PageSize;
        array.EnsureCapacity(page + 1);
        Assert.Equal(page + page / 8, array.Capacity); // a new page starts at an eighth
        array.EnsureCapacity(page + page / 8 + 1);
        Assert.Equal(page + page / 8 + page / 32, array.Capacity); // and grows by a quarter
        array.EnsureCapacity(2 * page);
        Assert.Equal(2 * page, array.Capacity); // up to a whole page
        array.EnsureCapacity(5 * page + 3);
        Assert.Equal(5 * page + page / 8, array.Capacity); // whole pages on the way, only the last one partial
        array.EnsureCapacity(10);
        Assert.Equal(5 * page + page / 8, array.Capacity);
    }

    [Fact]
    public void Every_element_survives_growth_and_pages_read_back_in_order()
    {
        var array = new PagedArray<long>();
        var count = 3 * PagedArray<long>.PageSize + 100;
        for (var i = 0; i < count; i++)
        {
            array.EnsureCapacity(i + 1);
            array[i] = i * 7L;
        }

        for (var i = 0; i < count; i++) Assert.Equal(i * 7L, array[i]);
        var read = new List<long>();
        for (int page = 0, start = 0; start < count; page++, start += PagedArray<long>.PageSize)
            read.AddRange(array.Page(page, Math.Min(PagedArray<long>.PageSize, count - start)).ToArray());
        Assert.Equal(Enumerable.Range(0, count).Select(i => i * 7L), read);
    }
}
