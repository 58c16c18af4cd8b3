using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// An in-process silo with residents around Shenzhen and one dispatched case: who was pushed, who lives just outside
/// the circle, and everyone's stored cell, so engagement tests drive events and check the figures against them.
/// </summary>
public sealed class EngagementScenario : IAsyncDisposable
{
    public const double Lat = 22.5431, Lon = 114.0579, Radius = 10_000;

    private EngagementScenario(AlertsSilo silo, string caseId, List<long> recipients, List<long> outsiders, Dictionary<long, string> cells, TestStore store)
    {
        Silo = silo;
        CaseId = caseId;
        Recipients = recipients;
        Outsiders = outsiders;
        Cells = cells;
        Store = store;
    }

    public AlertsSilo Silo { get; private set; }

    public TestStore Store { get; }

    public string CaseId { get; }

    /// <summary>Users the case pushed to, in id order.</summary>
    public List<long> Recipients { get; }

    /// <summary>Users with a stored position outside the circle (never pushed), in id order.</summary>
    public List<long> Outsiders { get; }

    /// <summary>Each reported user's cell (geohash at precision 5), as the residents table holds it.</summary>
    public Dictionary<long, string> Cells { get; }

    /// <summary>The intake, called from inside the silo.</summary>
    public IEngagementGrain Intake => Silo.Grains.GetGrain<IEngagementGrain>(0);

    /// <summary>The case's engagement, as an admin reads it.</summary>
    public ICaseEngagementGrain Case => Silo.Grains.GetGrain<ICaseEngagementGrain>(CaseId);

    /// <summary>The silo's clock now.</summary>
    public DateTimeOffset Now => Silo.Time.GetUtcNow();

    /// <summary>Starts a silo on a fresh store, reports the residents (written to the table) and dispatches the case.</summary>
    public static async Task<EngagementScenario> StartAsync(string provider, string caseId = "eng-1")
    {
        var store = StorageKind.Fresh(provider);
        var silo = await AlertsSilo.StartAsync(store);
        var residents = Population.Around(100_001, Lat, Lon, Radius, 60, AlertsSilo.Epoch);
        await Population.ReportAsync(silo.Grains.GetGrain<IResidencyGrain>(0), residents);
        await silo.Services.GetRequiredService<ResidentWriter>().FlushAsync();
        await silo.DispatchAsync(caseId, Admins.Case(Lat, Lon, Radius, "Missing: girl, 7, yellow raincoat", "https://alerts.example/c/eng"));
        var recipients = (await silo.Cases.LoadRecipientsAsync(caseId)).Order().ToList();
        var inside = Population.Inside(residents, Lat, Lon, Radius);
        Assert.Equal(inside.Order(), recipients);
        var outsiders = residents.Select(r => r.UserId).Where(u => !inside.Contains(u)).Order().ToList();
        var cells = residents.ToDictionary(r => r.UserId, r => Geohash.Encode(r.Latitude, r.Longitude, 5).ToString());
        return new EngagementScenario(silo, caseId, recipients, outsiders, cells, store);
    }

    /// <summary>Stops the silo and starts a new one on the same store (counters are rebuilt from the tables).</summary>
    public async Task RestartAsync()
    {
        var now = Now;
        await Silo.DisposeAsync();
        Silo = await AlertsSilo.StartAsync(Store, new ManualTimeProvider(now));
    }

    /// <summary>Reports and returns the result.</summary>
    public Task<EngagementResult> ReportAsync(params EngagementEvent[] events) => Intake.Report(events.ToList());

    public ValueTask DisposeAsync() => Silo.DisposeAsync();
}
