namespace Alerts.Client;

/// <summary>
/// A <see cref="ReportInterruptedException"/> with what the answered calls gave: their counts, their rejections and
/// (engagement) the share tokens they issued, indexed in the caller's list as a whole report's are.
/// </summary>
/// <typeparam name="TResult"><see cref="GrainInterfaces.IngestResult"/> or <see cref="GrainInterfaces.EngagementResult"/>.</typeparam>
public sealed class ReportInterruptedException<TResult>(int reported, int total, TResult answered, Exception failure)
    : ReportInterruptedException(reported, total, failure)
{
    /// <summary>The answered calls' results, added up.</summary>
    public TResult Answered { get; } = answered;
}
