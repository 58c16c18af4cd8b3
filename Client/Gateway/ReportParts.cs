namespace Alerts.Client;

/// <summary>Sends a long list in parts of at most a given size, one after another, each with where it starts in the list, and says how far a failed one got.</summary>
internal static class ReportParts
{
    /// <summary>
    /// Calls <paramref name="send"/> with each part and its start index; stops before a part once
    /// <paramref name="cancellationToken"/> is cancelled. A part that fails after earlier parts were answered throws a
    /// <see cref="ReportInterruptedException{TResult}"/> with what <paramref name="answered"/> says they gave; the first
    /// part's failure, and cancellation, propagate as they are.
    /// </summary>
    public static async Task ForEachAsync<T, TResult>(IReadOnlyList<T> items, int size, Func<List<T>, int, Task> send, Func<TResult> answered, CancellationToken cancellationToken)
    {
        for (var start = 0; start < items.Count; start += size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var part = new List<T>(Math.Min(size, items.Count - start));
            for (var i = start; i < items.Count && i < start + size; i++) part.Add(items[i]);
            try
            {
                await send(part, start);
            }
            catch (Exception e) when (start > 0 && e is not OperationCanceledException)
            {
                throw new ReportInterruptedException<TResult>(start, items.Count, answered(), e);
            }
        }
    }
}
