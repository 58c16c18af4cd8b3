namespace Alerts.Geo.Tests;

/// <summary>Grouping a circle's cover into coarser blocks.</summary>
public sealed class CoveredBlockTests
{
    [Theory]
    [InlineData(22.5431, 114.0579, 120_000, 3)]
    [InlineData(22.5431, 114.0579, 120_000, 4)]
    [InlineData(0.01, 179.99, 60_000, 3)]
    [InlineData(89.5, 10, 100_000, 2)]
    public void Every_cell_is_counted_once_in_its_parent_and_blocks_come_nearest_first(double lat, double lon, double radius, int blockPrecision)
    {
        var cover = CircleCover.Compute(GeoCircle.Create(lat, lon, radius), 5);
        var blocks = CoveredBlock.Group(cover, blockPrecision);

        Assert.Equal(cover.Length, blocks.Sum(b => b.Cells));
        Assert.Equal(cover.Select(c => c.Cell.Parent(blockPrecision)).Distinct().Count(), blocks.Length);
        foreach (var block in blocks)
        {
            var cells = cover.Where(c => c.Cell.Parent(blockPrecision) == block.Block).ToList();
            Assert.Equal(cells.Count, block.Cells);
            Assert.Equal(cells.Min(c => c.MinDistanceMeters), block.MinDistanceMeters);
        }

        for (var i = 1; i < blocks.Length; i++) Assert.True(blocks[i - 1].MinDistanceMeters <= blocks[i].MinDistanceMeters);
    }

    [Fact]
    public void At_the_cells_own_precision_each_cell_is_its_own_block()
    {
        var cover = CircleCover.Compute(GeoCircle.Create(48.85, 2.35, 30_000), 5);
        Assert.Equal(cover.Select(c => new CoveredBlock(c.Cell, 1, c.MinDistanceMeters)), CoveredBlock.Group(cover, 5));
    }
}
