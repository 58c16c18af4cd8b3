using Alerts.GrainInterfaces;

namespace Alerts.Tests;

/// <summary>Merging cell grains' nearest-first lists into one.</summary>
public sealed class CollectedResidentsTests
{
    [Fact]
    public void A_merge_keeps_everyone_once_nearest_first_against_a_plain_sort()
    {
        var random = new Random(3);
        for (var round = 0; round < 200; round++)
        {
            var parts = Enumerable.Range(0, random.Next(0, 12)).Select(p =>
            {
                var distances = Enumerable.Range(0, random.Next(0, 50)).Select(_ => (float)(random.NextDouble() * 120_000)).Order().ToArray();
                return new CollectedResidents(distances.Select((_, i) => p * 1_000L + i).ToArray(), distances);
            }).ToList();

            var merged = CollectedResidents.Merge(parts);

            var all = parts.SelectMany(p => p.UserIds.Zip(p.DistancesMeters)).ToList();
            Assert.Equal(all.Select(a => a.First).Order(), merged.Order());
            var distanceOf = all.ToDictionary(a => a.First, a => a.Second);
            Assert.Equal(all.Select(a => a.Second).Order(), merged.Select(id => distanceOf[id]));
        }
    }

    [Fact]
    public void Nothing_merges_to_nothing()
    {
        Assert.Empty(CollectedResidents.Merge([]));
        Assert.Empty(CollectedResidents.Merge([CollectedResidents.None, CollectedResidents.None]));
    }
}
