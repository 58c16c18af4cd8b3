namespace Alerts.Client;

/// <summary>Sends a long list in parts of at most a given size, one after another, each with where it starts in the list.</summary>
internal static class ReportParts
{
    /// <summary>Calls <paramref name="send"/> with each part and its start index; stops before a part once <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task ForEachAsync<T>(IReadOnlyList<T> items, int size, Func<List<T>, int, Task> send, CancellationToken cancellationToken)
    {
        for (var start = 0; start < items.Count; start += size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var part = new List<T>(Math.Min(size, items.Count - start));
            for (var i = start; i < items.Count && i < start + size; i++) part.Add(items[i]);
            await send(part, start);
        }
    }
}
