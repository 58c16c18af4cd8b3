using System.Diagnostics;
using Alerts.Client;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Bench.Product;

/// <summary>
/// Location ingest, memory per resident and dispatch at scale, through the real grain client over the
/// WebSocket: N users, a tenth of them inside a 120 km circle around Shenzhen. The baseline, measured
/// in the same run, is the bare per-update work (validation and geohash encoding in a loop).
/// </summary>
public static class ResidencyBenchmark
{
    /// <summary>Runs on a fresh SQLite file, or on a fresh database of the given PostgreSQL server.</summary>
    public static async Task RunAsync(int users, string? postgresServer)
    {
        using var database = postgresServer is null ? BenchDatabase.Sqlite() : BenchDatabase.Postgres(postgresServer);
        var (app, client) = await StartSiloAsync(database);

        var (lat, lon, radius) = (22.5431, 114.0579, 120_000.0);
        var now = DateTimeOffset.UtcNow;
        var random = new Random(1);
        var updates = new LocationUpdate[users];
        for (var i = 0; i < users; i++)
        {
            // A tenth inside the circle, the rest spread over southern and eastern China outside it.
            GeoPoint p;
            if (i % 10 == 0) p = GreatCircle.Destination(lat, lon, random.NextDouble() * 360, radius * Math.Sqrt(random.NextDouble()));
            else do p = new GeoPoint(18 + random.NextDouble() * 22, 100 + random.NextDouble() * 22); while (GreatCircle.Distance(lat, lon, p.Latitude, p.Longitude) <= radius);
            updates[i] = new LocationUpdate(i + 1, p.Latitude, p.Longitude, now);
        }

        var inside = updates.Count(u => GreatCircle.Distance(lat, lon, u.Latitude, u.Longitude) <= radius);

        var (baselineRate, checksum) = MeasureBaseline(updates);

        var before = Heap();
        var ingest = Stopwatch.StartNew();
        var applied = 0;
        var residency = client.GetGrain<IResidencyGrain>(0);
        // Four batches in flight, as a gateway with a few senders would have.
        foreach (var group in updates.Chunk(10_000).Chunk(4))
            applied += (await Task.WhenAll(group.Select(batch => residency.Report(batch.ToList())))).Sum(r => r.Applied);
        ingest.Stop();
        var ingestRate = users / ingest.Elapsed.TotalSeconds;
        var after = Heap();
        // The input array is in "before": it must still be alive in "after", or its size (64 bytes a user)
        // is subtracted from the residents' memory.
        GC.KeepAlive(updates);

        // Drain the write-behind before dispatching, and time it: the store's own write throughput.
        var flush = Stopwatch.StartNew();
        var pendingRows = app.Services.GetRequiredService<ResidentWriter>().Pending;
        await app.Services.GetRequiredService<ResidentWriter>().FlushAsync();
        flush.Stop();

        var gateway = new CountingGateway(client, inside);
        await client.GetGrain<IPushHubGrain>(0).Subscribe("bench", client.CreateObjectReference<IPushGateway>(gateway));
        var dispatch = Stopwatch.StartNew();
        var caseGrain = client.GetGrain<ICaseGrain>("bench");
        await caseGrain.Open(new CaseDefinition(lat, lon, radius, "Benchmark alert", "https://alerts.example/c/bench"));
        await caseGrain.Dispatch();
        await gateway.AllReceived.WaitAsync(TimeSpan.FromMinutes(30));
        dispatch.Stop();

        Console.WriteLine($"storage: {database.Provider}");
        Console.WriteLine($"users: {users:N0}, inside the 120 km circle: {inside:N0} (checksum {checksum % 1000})");
        Console.WriteLine($"baseline (validate + encode, no grains): {baselineRate:N0} updates/s");
        Console.WriteLine($"ingest through the grain client: {ingestRate:N0} updates/s ({applied:N0} applied in {ingest.Elapsed.TotalSeconds:N1} s) = {ingestRate / baselineRate:P2} of baseline");
        Console.WriteLine($"memory: {(after - before) / (double)users:N0} bytes per resident (heap {before / 1e6:N0} MB -> {after / 1e6:N0} MB, cells and directory included)");
        Console.WriteLine($"write-behind drained after ingest: {pendingRows:N0} positions in {flush.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"dispatch: {inside:N0} recipients handed to the gateway in {dispatch.Elapsed.TotalSeconds:N1} s = {inside / dispatch.Elapsed.TotalSeconds:N0} recipients/s");

        // A graceful restart on the same store, the case still active: how long the stop and the start
        // take, and how long the first report waits while the directory shards and cells load their rows.
        var stop = Stopwatch.StartNew();
        await client.DisposeAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stop.Stop();
        var start = Stopwatch.StartNew();
        (app, client) = await StartSiloAsync(database);
        start.Stop();
        // Every directory shard reads its rows when it activates; an empty batch activates them all.
        var silo = app.Services.GetRequiredService<IGrainFactory>();
        var directory = Stopwatch.StartNew();
        var shards = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertsOptions>>().Value.DirectoryShards;
        await Task.WhenAll(Enumerable.Range(0, shards).Select(shard => silo.GetGrain<IUserDirectoryGrain>(shard).Apply([])));
        directory.Stop();
        var moved = updates.Take(10_000).Select(u => u with { FixTime = now.AddMinutes(1) }).ToList();
        var firstReport = Stopwatch.StartNew();
        var afterRestart = await client.GetGrain<IResidencyGrain>(0).Report(moved);
        firstReport.Stop();
        Console.WriteLine($"restart: stop {stop.Elapsed.TotalSeconds:N1} s, start {start.Elapsed.TotalSeconds:N1} s, {shards} directory shards loaded in {directory.Elapsed.TotalSeconds:N1} s, then the first report of {moved.Count:N0} updates answered in {firstReport.Elapsed.TotalSeconds:N1} s ({afterRestart.Applied:N0} applied)");
        await client.DisposeAsync();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<(WebApplication App, ClusterClient Client)> StartSiloAsync(BenchDatabase database)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Silo:Storage:Provider"] = database.Provider,
            ["Alerts:Silo:Storage:ConnectionString"] = database.ConnectionString,
            ["Alerts:Silo:Gateway:Clients:0:Name"] = "bench",
            ["Alerts:Silo:Gateway:Clients:0:SecretHash"] = CredentialHash.Create("bench"),
            ["Alerts:Silo:Gateway:Clients:0:Roles:0"] = Roles.Gateway,
            ["Alerts:Silo:Gateway:Clients:0:Roles:1"] = Roles.Admin,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.UseAlerts();
        var app = builder.Build();
        app.MapGrainGateway();
        await app.StartAsync();
        var endpoint = new Uri(app.Urls.First().Replace("http://", "ws://") + "/grains");
        var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Endpoint = endpoint, Credential = "bench:bench", CallTimeout = TimeSpan.FromMinutes(5) });
        return (app, client);
    }

    // Baseline: the per-update work with no grains, no wire, no storage. Compiled fully optimised up
    // front: otherwise the figure depends on which JIT tier the loop happens to run in.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (double Rate, long Checksum) MeasureBaseline(LocationUpdate[] updates)
    {
        var baseline = Stopwatch.StartNew();
        long checksum = 0;
        foreach (var u in updates)
        {
            GeoValidation.ValidateCoordinates(u.Latitude, u.Longitude);
            checksum += Geohash.Encode(u.Latitude, u.Longitude, 5).Packed;
        }

        baseline.Stop();
        return (updates.Length / baseline.Elapsed.TotalSeconds, checksum);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Acknowledges every batch and completes when the expected number of users arrived.</summary>
    private sealed class CountingGateway(ClusterClient client, int expected) : IPushGateway
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<long> _seen = [];
        private long _received;

        public Task AllReceived => _all.Task;

        public async Task Deliver(PushBatch batch)
        {
            if (_seen.Add(batch.BatchId) && Interlocked.Add(ref _received, batch.UserIds.Count) >= expected) _all.TrySetResult();
            await client.GetGrain<IPushHubGrain>(0).Acknowledge([batch.BatchId]);
        }
    }
}
