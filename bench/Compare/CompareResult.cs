namespace Alerts.Bench.Compare;

/// <summary>Everything one comparison run measured, and whether the recipient sets agreed.</summary>
public sealed record CompareResult(
    CompareOptions Options,
    string Machine,
    IReadOnlyList<SystemFigures> Systems,
    IReadOnlyList<RecipientAgreement> Agreements,
    double PostgisSphereRadius,
    int DispatchRecipients,
    TimeSpan Dispatch,
    CpuUse DispatchCpu,
    TimeSpan DispatchFloor,
    TimeSpan ParallelDispatchFloor,
    MemoryBreakdown? Memory)
{
    /// <summary>True when every difference between the sets lies in its radius band.</summary>
    public bool Agrees => Agreements.All(a => a.Agrees);

    /// <summary>Ours, PostGIS, Redis.</summary>
    public SystemFigures System(string name) => Systems.Single(s => s.Name == name);
}
