namespace Alerts.Grains;

/// <summary>
/// Sorts a cell grain's collected residents by distance: a stable radix sort on the distances' bits (a non-negative
/// float orders as its bits do), three passes of 11 bits, linear where a comparison sort of a dense block's hundred
/// thousand residents is most of a collection's time.
/// </summary>
internal static class NearestFirst
{
    private const int DigitBits = 11;
    private const int Digits = 1 << DigitBits;
    private const int DigitMask = Digits - 1;
    // Below this a comparison sort wins: the three histograms alone are six thousand counters.
    private const int RadixFrom = 2_048;

    /// <summary>The first <paramref name="count"/> residents, nearest first, in new arrays of exactly that length (ties keep their order).</summary>
    public static (long[] UserIds, float[] DistancesMeters) Sort(long[] userIds, float[] distances, int count)
    {
        if (count < RadixFrom)
        {
            var (ids, keys) = (userIds[..count], distances[..count]);
            // Stable as the radix path is: equal distances keep their slot order (ids are unique, so they break ties).
            var order = new (float Distance, int Slot)[count];
            for (var i = 0; i < count; i++) order[i] = (keys[i], i);
            Array.Sort(order);
            for (var i = 0; i < count; i++) (ids[i], keys[i]) = (userIds[order[i].Slot], order[i].Distance);
            return (ids, keys);
        }

        var counts = new int[3 * Digits];
        for (var i = 0; i < count; i++)
        {
            var bits = Bits(distances[i]);
            counts[bits & DigitMask]++;
            counts[Digits + ((bits >> DigitBits) & DigitMask)]++;
            counts[2 * Digits + (bits >> (2 * DigitBits))]++;
        }

        // Counts become each digit's first position, per pass.
        for (var pass = 0; pass < 3; pass++)
        {
            var offset = pass * Digits;
            var next = 0;
            for (var d = 0; d < Digits; d++) (counts[offset + d], next) = (next, next + counts[offset + d]);
        }

        var (idsA, keysA) = (new long[count], new float[count]);
        var (idsB, keysB) = (userIds, distances);
        // Passes go source → target: B → A, A → B, B → A, so the result lands in the fresh arrays of exact length.
        Scatter(idsB, keysB, idsA, keysA, count, counts, 0, 0);
        Scatter(idsA, keysA, idsB, keysB, count, counts, Digits, DigitBits);
        Scatter(idsB, keysB, idsA, keysA, count, counts, 2 * Digits, 2 * DigitBits);
        return (idsA, keysA);
    }

    private static void Scatter(long[] fromIds, float[] fromKeys, long[] toIds, float[] toKeys, int count, int[] starts, int offset, int shift)
    {
        for (var i = 0; i < count; i++)
        {
            var key = fromKeys[i];
            var at = starts[offset + ((Bits(key) >> shift) & DigitMask)]++;
            toIds[at] = fromIds[i];
            toKeys[at] = key;
        }
    }

    private static uint Bits(float distance) => BitConverter.SingleToUInt32Bits(distance);
}
