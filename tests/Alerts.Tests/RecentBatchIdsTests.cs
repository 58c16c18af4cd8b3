using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>The bounded set of recent batch ids (gateways, push hub): capacity, eviction oldest-first, and a seeded comparison with a plain model.</summary>
public sealed class RecentBatchIdsTests
{
    [Fact]
    public void Keeps_at_most_its_capacity_and_forgets_the_oldest_first()
    {
        var ids = new RecentBatchIds(3);
        Assert.True(ids.Add(1));
        Assert.True(ids.Add(2));
        Assert.True(ids.Add(3));
        Assert.True(ids.Add(4));

        Assert.Equal(3, ids.Count);
        Assert.False(ids.Contains(1));
        Assert.Equal([2L, 3L, 4L], ids.OldestFirst());
    }

    [Fact]
    public void Adding_a_remembered_id_again_is_refused_and_does_not_make_it_younger()
    {
        var ids = new RecentBatchIds(2);
        ids.Add(10);
        ids.Add(20);
        Assert.False(ids.Add(10));
        ids.Add(30);

        Assert.False(ids.Contains(10));
        Assert.Equal([20L, 30L], ids.OldestFirst());
    }

    [Fact]
    public void A_forgotten_id_can_be_added_again()
    {
        var ids = new RecentBatchIds(1);
        ids.Add(5);
        ids.Add(6);
        Assert.True(ids.Add(5));
        Assert.Equal([5L], ids.OldestFirst());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_capacity_below_one_is_refused(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecentBatchIds(capacity));

    [Theory]
    [InlineData(1, 11)]
    [InlineData(7, 12)]
    [InlineData(64, 13)]
    [InlineData(1000, 14)]
    public void Behaves_like_a_set_with_a_queue_of_arrival_order(int capacity, int seed)
    {
        var random = new Random(seed);
        var ids = new RecentBatchIds(capacity);
        var modelSet = new HashSet<long>();
        var modelOrder = new Queue<long>();
        for (var step = 0; step < 20_000; step++)
        {
            // Ids from a range a few times the capacity, so repeats, evictions and re-additions all happen.
            var id = random.NextInt64(0, capacity * 3L + 2);
            if (random.Next(3) == 0)
            {
                Assert.Equal(modelSet.Contains(id), ids.Contains(id));
                continue;
            }

            var added = modelSet.Add(id);
            if (added)
            {
                modelOrder.Enqueue(id);
                if (modelOrder.Count > capacity) modelSet.Remove(modelOrder.Dequeue());
            }

            Assert.Equal(added, ids.Add(id));
            Assert.Equal(modelSet.Count, ids.Count);
            Assert.True(ids.Count <= capacity);
        }

        Assert.Equal(modelOrder, ids.OldestFirst());
    }
}
