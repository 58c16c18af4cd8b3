using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>Cell references: made once per silo and block, never shared between silos, kept up to a bound.</summary>
public sealed class CellGrainsTests
{
    [Fact]
    public async Task Each_silo_keeps_its_own_references_and_they_reach_its_own_grains()
    {
        await using var first = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var second = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var block = Geohash.Encode(22.54, 114.05, 3);
        await first.Grains.GetGrain<IResidencyGrain>(0).Report([new LocationUpdate(7, 22.54, 114.05, AlertsSilo.Epoch)]);

        Assert.Same(first.Grains.GetCell(block), first.Grains.GetCell(block));
        Assert.NotSame(first.Grains.GetCell(block), second.Grains.GetCell(block));
        // The second silo never heard of user 7: a reference kept by the first would wrongly answer 1 here.
        Assert.Equal(1, await first.Grains.GetCell(block).Count());
        Assert.Equal(0, await second.Grains.GetCell(block).Count());
    }

    [Fact]
    public async Task Past_the_bound_references_are_made_each_time_and_still_name_their_block()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        // Blocks at precision 6, row after row (a grain per 1.2 km block would make this many in a country).
        var blocks = Enumerable.Range(0, CellGrains.MaxKeptReferences + 1).Select(i => Geohash.FromIndices(1_000 + i / 32_768, i % 32_768, 6)).ToList();
        foreach (var block in blocks.SkipLast(1)) silo.Grains.GetCell(block);

        var beyond = blocks[^1];
        Assert.NotSame(silo.Grains.GetCell(beyond), silo.Grains.GetCell(beyond));
        Assert.Equal(beyond, silo.Grains.GetCell(beyond).BlockOf());
        Assert.Same(silo.Grains.GetCell(blocks[0]), silo.Grains.GetCell(blocks[0]));
    }
}
