namespace Alerts.Bench.Compare;

/// <summary>What one system measured in a run: ingest, moves, memory, and its selections per centre.</summary>
public sealed record SystemFigures(
    string Name,
    string Description,
    WriteTiming Ingest,
    CpuUse IngestCpu,
    WriteTiming Moves,
    long MemoryBytes,
    string MemoryMethod,
    IReadOnlyDictionary<string, IReadOnlyList<Selection>> Selections)
{
    /// <summary>The median selection time at a centre.</summary>
    public TimeSpan MedianSelection(string centre) => Medians.Of(Selections[centre].Select(s => s.Elapsed));

    /// <summary>The median end-to-end time at a centre, when the system has one apart from its selection time.</summary>
    public TimeSpan? MedianEndToEnd(string centre) =>
        Selections[centre].All(s => s.EndToEnd is not null) ? Medians.Of(Selections[centre].Select(s => s.EndToEnd!.Value)) : null;

    /// <summary>The recipients it found at a centre (the last repetition's).</summary>
    public long[] Recipients(string centre) => Selections[centre][^1].UserIds;
}
