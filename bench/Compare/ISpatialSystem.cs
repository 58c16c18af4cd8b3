namespace Alerts.Bench.Compare;

/// <summary>One of the compared systems, holding the population and answering circles.</summary>
public interface ISpatialSystem : IAsyncDisposable
{
    /// <summary>A short name for the tables ("ours", "PostGIS", "Redis").</summary>
    string Name { get; }

    /// <summary>What it is and how it was used, for the report.</summary>
    string Description { get; }

    /// <summary>Loads the whole population; the index exists before the first update.</summary>
    Task<WriteTiming> IngestAsync(ComparePopulation population);

    /// <summary>Bytes the population takes in this system (measured as its <see cref="MemoryMethod"/> says); called once, right after ingest.</summary>
    Task<long> MemoryBytesAsync();

    /// <summary>How <see cref="MemoryBytesAsync"/> measures.</summary>
    string MemoryMethod { get; }

    /// <summary>Reports the moved users' new positions (the index already exists).</summary>
    Task<WriteTiming> MoveAsync(ComparePopulation population);

    /// <summary>The users within <paramref name="radiusMeters"/> of the centre, timed.</summary>
    Task<Selection> SelectAsync(CaseCentre centre, double radiusMeters);
}
