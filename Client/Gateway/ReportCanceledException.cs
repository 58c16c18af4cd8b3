namespace Alerts.Client;

/// <summary>
/// A report sent in several calls that its caller cancelled: an <see cref="OperationCanceledException"/>, as any
/// cancellation, that also says how far it got. The items before <see cref="Reported"/> were taken (their calls were
/// answered); the call under way when the cancellation came may have been taken too (a call already sent still completes
/// in the cluster). Send the list again from <see cref="Reported"/>: repeats are harmless.
/// </summary>
public class ReportCanceledException : OperationCanceledException
{
    /// <summary>A report of <paramref name="total"/> items cancelled through <paramref name="token"/> after its first <paramref name="reported"/> were taken.</summary>
    public ReportCanceledException(int reported, int total, CancellationToken token)
        : base($"the report was cancelled after {reported} of its {total} items were taken (send it again from index {reported})", token)
    {
        Reported = reported;
        Total = total;
    }

    /// <summary>How many items from the start of the list were taken: the index to send again from.</summary>
    public int Reported { get; }

    /// <summary>How many items the report had.</summary>
    public int Total { get; }
}
