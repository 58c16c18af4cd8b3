using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Bench;

/// <summary>How the benchmarks send a case: filed and submitted by the bench client, approved by the bench's second admin.</summary>
public static class BenchCases
{
    /// <summary>Files <paramref name="caseId"/> at the point with the radius, and approves it through a client <paramref name="connectApprover"/> makes.</summary>
    public static async Task FileAndApproveAsync(AlertsClient filer, Func<Task<AlertsClient>> connectApprover, string caseId, double latitude, double longitude, double radiusMeters)
    {
        var caseGrain = filer.GetGrain<ICaseGrain>(caseId);
        await caseGrain.Open(SampleCases.At(latitude, longitude, radiusMeters, "Benchmark alert", $"https://alerts.example/c/{caseId}"));
        await caseGrain.Submit();
        await using var approver = await connectApprover();
        await approver.GetGrain<ICaseGrain>(caseId).Approve();
    }
}
