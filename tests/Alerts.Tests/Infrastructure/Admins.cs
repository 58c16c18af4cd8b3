using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>
/// Two admins for the two-person rule. Calls made inside a silo carry no token, so a test names the caller the way the
/// silo's call filter does after checking one; a client signs in as itself.
/// </summary>
public static class Admins
{
    /// <summary>The admin who files cases in tests.</summary>
    public const string Filer = "tester";

    /// <summary>The second admin, who approves them.</summary>
    public const string Approver = "approver";

    /// <summary>Until disposed, calls from this flow are made as <paramref name="name"/> with the admin role.</summary>
    public static IDisposable As(string name)
    {
        var previous = (RequestContext.Get(CallerHeader.Name), RequestContext.Get(CallerHeader.Roles));
        RequestContext.Set(CallerHeader.Name, name);
        RequestContext.Set(CallerHeader.Roles, Roles.Admin);
        return new Restore(previous);
    }

    /// <summary>Files, submits and approves a case inside a silo: the filer files it, the approver sends it.</summary>
    public static async Task<CaseProgress> FileAndApproveAsync(IGrainFactory grains, string caseId, CaseDefinition definition)
    {
        var caseGrain = grains.GetGrain<ICaseGrain>(caseId);
        using (As(Filer))
        {
            await caseGrain.Open(definition);
            await caseGrain.Submit();
        }

        using (As(Approver)) return await caseGrain.Approve();
    }

    /// <summary>Files and submits a case as the filer (inside a silo; a client's own sign-in names it instead).</summary>
    public static async Task<CaseProgress> FileAsync(ICaseGrain caseGrain, CaseDefinition definition)
    {
        using (As(Filer))
        {
            await caseGrain.Open(definition);
            return await caseGrain.Submit();
        }
    }

    /// <summary>Approves a case as the second admin (inside a silo; through a client signed in as the approver).</summary>
    public static async Task<CaseProgress> ApproveAsync(ICaseGrain caseGrain)
    {
        using (As(Approver)) return await caseGrain.Approve();
    }

    /// <summary>Files and submits a case through <paramref name="filer"/>'s client and approves it through <paramref name="approver"/>'s.</summary>
    public static async Task<CaseProgress> FileAndApproveAsync(AlertsClient filer, AlertsClient approver, string caseId, CaseDefinition definition)
    {
        var caseGrain = filer.GetGrain<ICaseGrain>(caseId);
        await caseGrain.Open(definition);
        await caseGrain.Submit();
        return await approver.GetGrain<ICaseGrain>(caseId).Approve();
    }

    /// <summary>A case at a point that passes every check.</summary>
    public static CaseDefinition Case(double latitude, double longitude, double? radiusMeters, string message = "Missing: boy, 6, red jacket", string link = "https://alerts.example/c/x") =>
        SampleCases.At(latitude, longitude, radiusMeters, message, link);

    private sealed class Restore((object? Name, object? Roles) previous) : IDisposable
    {
        public void Dispose()
        {
            Put(CallerHeader.Name, previous.Name);
            Put(CallerHeader.Roles, previous.Roles);
        }

        private static void Put(string key, object? value)
        {
            if (value is null) RequestContext.Remove(key);
            else RequestContext.Set(key, value);
        }
    }
}
