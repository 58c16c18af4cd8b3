using Alerts.Runtime;

namespace Alerts.GrainInterfaces;

/// <summary>Implemented by consoles that watch a case live.</summary>
public interface ICaseObserver : IGrainObserver
{
    /// <summary>The case moved on (a dispatch step, a late arrival, a status change).</summary>
    [OneWay]
    Task ProgressChanged(CaseProgress progress);
}
