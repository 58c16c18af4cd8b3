using System.Diagnostics;
using Alerts.Bench.Orleans;
using Alerts.Bench.Product;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Bench.Compare;

/// <summary>
/// Ours: an in-process silo built by the product's hosting code (<see cref="BenchSilo"/>), on PostgreSQL in cluster
/// mode (or SQLite, embedded), fed through the Orleans client in reports of 10,000 updates, four in flight, as a
/// gateway sends them. A report is answered once its positions are written; the writer is flushed once more after the
/// last answer (departures nobody waits for), which is timed too.
/// </summary>
public sealed class OursSystem : ISpatialSystem
{
    /// <summary>Updates in one report, as a gateway sends them.</summary>
    public const int ReportSize = 10_000;
    private const int ReportsInFlight = 4;

    private readonly BenchDatabase _database;
    private readonly BenchSilo _silo;
    private readonly AlertsClient _client;
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly string? _censusFolder;
    private long _heapBefore;
    private HeapCensus? _censusBefore;

    private OursSystem(BenchDatabase database, BenchSilo silo, AlertsClient client, string? censusFolder)
    {
        _database = database;
        _silo = silo;
        _client = client;
        _censusFolder = censusFolder;
    }

    public string Name => "ours";

    public string Description => _database.Provider == "postgres"
        ? "Orleans silo in process, PostgreSQL (cluster mode), reports of 10,000 through the Orleans client, each answered once written"
        : "Orleans silo in process, SQLite (embedded mode), reports of 10,000 through the Orleans client, each answered once written";

    public string MemoryMethod => "live managed bytes of the silo's process after ingest minus before (each read after a full compacting collection, large-object heap included): cells, directory shards, activations";

    /// <summary>The engine: "postgres" or "sqlite".</summary>
    public string Provider => _database.Provider;

    /// <summary>The product's database (for the dispatch floor on the same server).</summary>
    public string ConnectionString => _database.ConnectionString;

    /// <summary>The silo (its services, for the memory breakdown).</summary>
    public BenchSilo Silo => _silo;

    /// <summary>The live objects ingest added, by kind, when the run takes heap censuses (else null).</summary>
    public IReadOnlyList<(string Kind, long Count, long Bytes)>? CensusGained { get; private set; }

    /// <summary>
    /// A silo on a fresh database of <paramref name="postgresServer"/>, or on a fresh SQLite file when null; with a
    /// <paramref name="censusFolder"/>, heap dumps are taken there before and after ingest (see <see cref="HeapCensus"/>).
    /// </summary>
    public static async Task<OursSystem> StartAsync(string? postgresServer, string? censusFolder = null)
    {
        var database = postgresServer is null ? BenchDatabase.Sqlite() : BenchDatabase.Postgres(postgresServer);
        // As an operator runs `migrate` before a cluster's first start.
        await database.MigrateAsync();
        var silo = await BenchSilo.StartAsync(database, BenchSettings.NewClusterId());
        var client = await silo.ConnectClientAsync();
        var ours = new OursSystem(database, silo, client, censusFolder);
        // Read here, with nothing running until ingest, so that neither the collections nor a census falls in the
        // processor time measured around ingest.
        ours._heapBefore = ManagedHeap.LiveBytes();
        if (censusFolder is not null) ours._censusBefore = HeapCensus.Take(censusFolder);
        return ours;
    }

    // A minute old, so the moves (fixed "now") are newer and nothing is in the future.
    public Task<WriteTiming> IngestAsync(ComparePopulation population) =>
        ReportAsync(population, Enumerable.Range(0, population.Count), _start.AddMinutes(-1));

    // Called right after ingest, before anything else runs.
    public Task<long> MemoryBytesAsync()
    {
        var after = ManagedHeap.LiveBytes();
        if (_censusFolder is not null && _censusBefore is not null)
        {
            using var censusAfter = HeapCensus.Take(_censusFolder);
            CensusGained = HeapCensus.Gained(_censusBefore, censusAfter);
        }

        return Task.FromResult(after - _heapBefore);
    }

    public Task<WriteTiming> MoveAsync(ComparePopulation population) => ReportAsync(population, population.Moved, _start);

    public async Task<Selection> SelectAsync(CaseCentre centre, double radiusMeters)
    {
        var endToEnd = Stopwatch.StartNew();
        var selection = await _client.GetGrain<ICircleSelectionGrain>(0).Select(centre.Latitude, centre.Longitude, radiusMeters);
        endToEnd.Stop();
        return new Selection(selection.UserIds, selection.Elapsed, endToEnd.Elapsed);
    }

    /// <summary>
    /// The whole dispatch of a case at <paramref name="centre"/>: Open and Dispatch through the client, until a
    /// subscribed gateway (through the client) has received and acknowledged <paramref name="expected"/> recipients.
    /// </summary>
    public async Task<TimeSpan> DispatchAsync(CaseCentre centre, double radiusMeters, int expected)
    {
        if (expected == 0) throw new ArgumentOutOfRangeException(nameof(expected), "a dispatch benchmark needs recipients");
        var gateway = new CountingGateway(_client.Cluster, expected);
        await using var subscription = await PushSubscription.StartAsync(_client.Cluster, "bench/compare", gateway);
        var caseGrain = _client.GetGrain<ICaseGrain>("compare");
        await using var approver = await _silo.ConnectClientAsync(BenchSettings.ApproverCredential);
        var dispatch = Stopwatch.StartNew();
        await BenchCases.FileAndApproveAsync(_client, approver, "compare", centre.Latitude, centre.Longitude, radiusMeters);
        await gateway.AllReceived.WaitAsync(TimeSpan.FromMinutes(30));
        dispatch.Stop();
        // The last recipients may come before the last (empty) cells are collected: let the dispatch end, untimed
        // (polled: a poll interval here only delays the next figure, it decides nothing).
        while ((await caseGrain.GetProgress()).Status == CaseStatus.Dispatching) await Task.Delay(10);
        return dispatch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        _censusBefore?.Dispose();
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
        _database.Dispose();
    }

    private async Task<WriteTiming> ReportAsync(ComparePopulation population, IEnumerable<int> indexes, DateTimeOffset fixTime)
    {
        var residency = _client.GetGrain<IResidencyGrain>(0);
        var elapsed = Stopwatch.StartNew();
        var count = 0;
        foreach (var group in indexes.Chunk(ReportSize).Chunk(ReportsInFlight))
        {
            var results = await Task.WhenAll(group.Select(batch => residency.Report(
                batch.Select(i => new LocationUpdate(population.Ids[i], population.Latitudes[i], population.Longitudes[i], fixTime)).ToList())));
            foreach (var result in results)
            {
                if (result.Rejected > 0) throw new InvalidOperationException($"the silo rejected {result.Rejected} updates, e.g. {result.Rejections[0]}");
                count += result.Applied + result.Ignored;
            }
        }

        var acknowledged = elapsed.Elapsed;
        // Answers come once written; what nobody waited for (departures) is written now, and timed.
        await _silo.Services.GetRequiredService<ResidentWriter>().FlushAsync();
        return new WriteTiming(count, acknowledged, elapsed.Elapsed);
    }
}
