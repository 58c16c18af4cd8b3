using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Bench;

/// <summary>How the benchmarks send a case: filed and submitted by the bench client, approved by the bench's second admin.</summary>
public static class BenchCases
{
    /// <summary>
    /// Files <paramref name="caseId"/> at the point with the radius, and approves it through <paramref name="approver"/>
    /// (connected beforehand, as an approver's console is: connecting is not part of a dispatch).
    /// </summary>
    public static async Task FileAndApproveAsync(AlertsClient filer, AlertsClient approver, string caseId, double latitude, double longitude, double radiusMeters)
    {
        var caseGrain = filer.GetGrain<ICaseGrain>(caseId);
        await caseGrain.Open(SampleCases.At(latitude, longitude, radiusMeters, "Benchmark alert", $"https://alerts.example/c/{caseId}"));
        await caseGrain.Submit();
        await approver.GetGrain<ICaseGrain>(caseId).Approve();
    }
}
