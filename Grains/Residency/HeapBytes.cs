namespace Alerts.Grains;

/// <summary>What an object or an array takes on the managed heap of a 64-bit .NET process: the compact tables say what they hold with it.</summary>
internal static class HeapBytes
{
    // Every object starts with its header word and its method table pointer; an array adds its length (padded to 8).
    private const int ObjectHeader = 16;
    private const int ArrayLength = 8;
    private const int SmallestObject = 24;

    /// <summary>An object whose fields take <paramref name="fieldBytes"/>.</summary>
    public static long OfObject(int fieldBytes) => Math.Max(SmallestObject, RoundUp(ObjectHeader + fieldBytes));

    /// <summary>An array of <paramref name="length"/> elements of <paramref name="elementBytes"/> each.</summary>
    public static long OfArray(long length, int elementBytes) => Math.Max(SmallestObject, RoundUp(ObjectHeader + ArrayLength + length * elementBytes));

    private static long RoundUp(long bytes) => (bytes + 7) & ~7L;
}
