namespace Alerts.Geo;

/// <summary>A coarser geohash (a block) holding some of a cover's cells: how many, and how near the nearest of them is.</summary>
public readonly record struct CoveredBlock(Geohash Block, int Cells, double MinDistanceMeters)
{
    /// <summary>
    /// The blocks at <paramref name="blockPrecision"/> that a cover's cells fall in, in the cover's order (nearest first):
    /// a block comes where its nearest cell comes.
    /// </summary>
    public static CoveredBlock[] Group(IReadOnlyList<CoveredCell> cover, int blockPrecision)
    {
        var blocks = new List<CoveredBlock>();
        var index = new Dictionary<Geohash, int>();
        foreach (var cell in cover)
        {
            var block = cell.Cell.Parent(blockPrecision);
            if (index.TryGetValue(block, out var at)) blocks[at] = blocks[at] with { Cells = blocks[at].Cells + 1 };
            else
            {
                index[block] = blocks.Count;
                blocks.Add(new CoveredBlock(block, 1, cell.MinDistanceMeters));
            }
        }

        return blocks.ToArray();
    }
}
