namespace Alerts.GrainInterfaces;

/// <summary>The residents a cell grain found inside a circle, nearest first, with each one's distance from the centre in metres.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CollectedResidents")]
public sealed record CollectedResidents([property: Id(0)] long[] UserIds, [property: Id(1)] float[] DistancesMeters)
{
    /// <summary>Nobody.</summary>
    public static readonly CollectedResidents None = new([], []);

    /// <summary>
    /// Several grains' residents as one list, nearest first across them all (a merge: each input is already sorted),
    /// so a case's batches go out nearest first however its cover falls into grains.
    /// </summary>
    public static List<long> Merge(IReadOnlyList<CollectedResidents> parts)
    {
        var merged = new List<long>(parts.Sum(p => p.UserIds.Length));
        var next = new int[parts.Count];
        var queue = new PriorityQueue<int, float>();
        for (var i = 0; i < parts.Count; i++)
            if (parts[i].UserIds.Length > 0) queue.Enqueue(i, parts[i].DistancesMeters[0]);
        while (queue.TryDequeue(out var part, out _))
        {
            var at = next[part]++;
            merged.Add(parts[part].UserIds[at]);
            if (at + 1 < parts[part].UserIds.Length) queue.Enqueue(part, parts[part].DistancesMeters[at + 1]);
        }

        return merged;
    }
}
