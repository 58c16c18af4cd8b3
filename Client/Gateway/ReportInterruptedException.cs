namespace Alerts.Client;

/// <summary>
/// A report sent in several calls that failed after at least one call was answered: the items before
/// <see cref="Reported"/> were taken (written or counted, durably), the rest were not, or not for certain. Send the list
/// again from <see cref="Reported"/>, or all of it: repeats are harmless. The failure is the <see cref="Exception.InnerException"/>.
/// A report whose first call fails throws that call's exception as it is: none was answered (one that timed out or lost
/// its connection may still have been taken, so send the whole list again). A cancellation by the caller is a
/// <see cref="ReportCanceledException"/> instead, an <see cref="OperationCanceledException"/> with the same index.
/// </summary>
public class ReportInterruptedException : Exception
{
    /// <summary>A report of <paramref name="total"/> items of which the first <paramref name="reported"/> were taken before <paramref name="failure"/>.</summary>
    public ReportInterruptedException(int reported, int total, Exception failure)
        : base($"the report was interrupted after {reported} of its {total} items were taken (send it again from index {reported}): {failure.Message}", failure)
    {
        Reported = reported;
        Total = total;
    }

    /// <summary>How many items from the start of the list were taken: the index to send again from.</summary>
    public int Reported { get; }

    /// <summary>How many items the report had.</summary>
    public int Total { get; }
}
