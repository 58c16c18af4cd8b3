namespace Alerts.Client;

/// <summary>Sends a long list in parts of at most a given size, one after another, each with where it starts in the list, and says how far a failed or cancelled one got.</summary>
internal static class ReportParts
{
    /// <summary>
    /// Calls <paramref name="send"/> with each part and its start index; stops before a part once
    /// <paramref name="cancellationToken"/> is cancelled. A part that fails after earlier parts were answered throws a
    /// <see cref="ReportInterruptedException{TResult}"/> with what <paramref name="answered"/> says they gave (the first
    /// part's failure propagates as it is); a cancellation through <paramref name="cancellationToken"/>, before a part or
    /// while one waits, throws a <see cref="ReportCanceledException{TResult}"/> with the same.
    /// </summary>
    public static async Task ForEachAsync<T, TResult>(IReadOnlyList<T> items, int size, Func<List<T>, int, Task> send, Func<TResult> answered, CancellationToken cancellationToken)
    {
        for (var start = 0; start < items.Count; start += size)
        {
            if (cancellationToken.IsCancellationRequested) throw new ReportCanceledException<TResult>(start, items.Count, answered(), cancellationToken);
            var part = new List<T>(Math.Min(size, items.Count - start));
            for (var i = start; i < items.Count && i < start + size; i++) part.Add(items[i]);
            try
            {
                await send(part, start);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The part's call may still be taken in the cluster: only the parts before it are certain.
                throw new ReportCanceledException<TResult>(start, items.Count, answered(), cancellationToken);
            }
            catch (Exception e) when (start > 0)
            {
                throw new ReportInterruptedException<TResult>(start, items.Count, answered(), e);
            }
        }
    }
}
