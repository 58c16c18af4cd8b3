namespace Alerts.GrainInterfaces;

/// <summary>The residents a cell grain found inside a circle, nearest first, with each one's distance from the centre in metres.</summary>
[GenerateSerializer, Immutable, Alias("alerts.CollectedResidents")]
public sealed record CollectedResidents([property: Id(0)] long[] UserIds, [property: Id(1)] float[] DistancesMeters)
{
    /// <summary>Nobody.</summary>
    public static readonly CollectedResidents None = new([], []);

    /// <summary>
    /// Several grains' residents as one list, nearest first across them all (each input is already sorted): merged two
    /// at a time, smallest first, so the work is linear per round and the rounds are few. A case's batches go out
    /// nearest first however its cover falls into grains.
    /// </summary>
    public static List<long> Merge(IReadOnlyList<CollectedResidents> parts)
    {
        var queue = new PriorityQueue<CollectedResidents, int>();
        foreach (var part in parts)
            if (part.UserIds.Length > 0) queue.Enqueue(part, part.UserIds.Length);
        while (queue.Count > 1)
        {
            var merged = Merge(queue.Dequeue(), queue.Dequeue());
            queue.Enqueue(merged, merged.UserIds.Length);
        }

        return queue.TryDequeue(out var all, out _) ? [.. all.UserIds] : [];
    }

    private static CollectedResidents Merge(CollectedResidents a, CollectedResidents b)
    {
        var ids = new long[a.UserIds.Length + b.UserIds.Length];
        var distances = new float[ids.Length];
        var (i, j) = (0, 0);
        for (var k = 0; k < ids.Length; k++)
        {
            // Ties keep the first list's order first: the merge is stable.
            var fromA = j == b.UserIds.Length || (i < a.UserIds.Length && a.DistancesMeters[i] <= b.DistancesMeters[j]);
            (ids[k], distances[k]) = fromA ? (a.UserIds[i], a.DistancesMeters[i++]) : (b.UserIds[j], b.DistancesMeters[j++]);
        }

        return new CollectedResidents(ids, distances);
    }
}
