namespace Alerts.GrainInterfaces;

/// <summary>Implemented by consoles that watch a case live.</summary>
[Alias("alerts.case-observer")]
public interface ICaseObserver : IGrainObserver
{
    /// <summary>The case moved on (a dispatch step, a late arrival, a status change).</summary>
    [OneWay, Alias("ProgressChanged")]
    Task ProgressChanged(CaseProgress progress);
}
