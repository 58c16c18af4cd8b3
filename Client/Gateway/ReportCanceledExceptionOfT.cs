namespace Alerts.Client;

/// <summary>
/// A <see cref="ReportCanceledException"/> with what the answered calls gave: their counts, their rejections and
/// (engagement) the share tokens they issued, indexed in the caller's list as a whole report's are.
/// </summary>
/// <typeparam name="TResult"><see cref="GrainInterfaces.IngestResult"/> or <see cref="GrainInterfaces.EngagementResult"/>.</typeparam>
public sealed class ReportCanceledException<TResult>(int reported, int total, TResult answered, CancellationToken token)
    : ReportCanceledException(reported, total, token)
{
    /// <summary>The answered calls' results, added up.</summary>
    public TResult Answered { get; } = answered;
}
