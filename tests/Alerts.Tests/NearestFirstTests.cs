using Alerts.Grains;

namespace Alerts.Tests;

/// <summary>The collected residents' sort: the order a stable sort by distance gives, on both of its paths.</summary>
public sealed class NearestFirstTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(2_047)]
    [InlineData(2_048)]
    [InlineData(5_000)]
    [InlineData(120_000)]
    public void Residents_come_out_as_a_stable_sort_by_distance_puts_them(int count)
    {
        var random = new Random(count);
        // Spare room past count, as a grain's arrays have: it must not leak into the result.
        var ids = new long[count + 10];
        var distances = new float[count + 10];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = random.NextInt64(1, long.MaxValue);
            // Many repeats (a coarse grid of distances), zeros, and the whole range up to half the earth's circumference.
            distances[i] = random.Next(4) switch
            {
                0 => random.Next(50) * 100f,
                1 => 0f,
                2 => (float)(random.NextDouble() * 20_015_086),
                _ => (float)(random.NextDouble() * 120_000),
            };
        }

        var expected = Enumerable.Range(0, count).OrderBy(i => distances[i]).ToList();
        var (sortedIds, sortedDistances) = NearestFirst.Sort(ids.ToArray(), distances.ToArray(), count);

        Assert.Equal(count, sortedIds.Length);
        Assert.Equal(count, sortedDistances.Length);
        Assert.Equal(expected.Select(i => ids[i]), sortedIds);
        Assert.Equal(expected.Select(i => distances[i]), sortedDistances);
    }
}
