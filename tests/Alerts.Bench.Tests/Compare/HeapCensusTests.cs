using Alerts.Bench.Compare;

namespace Alerts.Bench.Tests.Compare;

/// <summary>The heap census finds exactly the objects made between two censuses of this process, with their sizes and their holder.</summary>
public sealed class HeapCensusTests
{
    private const int Made = 10_000;

    // Kept alive past the second census; a type of this test's own, so no other test makes one.
    private static List<CensusMarker>? _kept;

    [Fact]
    public void A_census_counts_what_was_made_since_the_last_one_and_names_the_holder_of_an_array()
    {
        using var before = HeapCensus.Take(Path.GetTempPath());
        _kept = new List<CensusMarker>(Made);
        for (var i = 0; i < Made; i++) _kept.Add(new CensusMarker(i));
        using var after = HeapCensus.Take(Path.GetTempPath());

        var gained = HeapCensus.Gained(before, after).ToDictionary(g => g.Kind);
        var markers = gained[typeof(CensusMarker).FullName!];
        // An object header and method table (16 bytes) and the long field (8).
        Assert.Equal((Made, Made * 24L), (markers.Count, markers.Bytes));
        var array = gained[$"{typeof(CensusMarker).FullName}[] in System.Collections.Generic.List<{typeof(CensusMarker).FullName}>"];
        Assert.Equal(1, array.Count);
        Assert.True(array.Bytes >= Made * 8L, $"the list's array of {Made} references took {array.Bytes} bytes");
        GC.KeepAlive(_kept);
    }

    private sealed record CensusMarker(long Value);
}
