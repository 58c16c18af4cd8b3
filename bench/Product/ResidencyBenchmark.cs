using System.Diagnostics;
using Alerts.Bench.Orleans;
using Alerts.Client;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alerts.Bench.Product;

/// <summary>
/// Location ingest, memory per resident and dispatch at scale, through the real Orleans client
/// (<see cref="AlertsClient"/>, over the silo gateway's TCP connection): N users, a tenth of them inside a
/// 120 km circle around Shenzhen. The baseline, measured in the same run, is the bare per-update work
/// (validation and geohash encoding in a loop).
/// </summary>
public static class ResidencyBenchmark
{
    private const double Lat = 22.5431, Lon = 114.0579, Radius = 120_000.0;

    /// <summary>An in-process silo on a fresh SQLite file, or on a fresh database of the given PostgreSQL server.</summary>
    public static async Task RunAsync(int users, string? postgresServer)
    {
        using var database = postgresServer is null ? BenchDatabase.Sqlite() : BenchDatabase.Postgres(postgresServer);
        // As an operator runs `migrate` before a cluster's first start.
        await database.MigrateAsync();
        var clusterId = BenchSettings.NewClusterId();
        var silo = await BenchSilo.StartAsync(database, clusterId);
        var client = await silo.ConnectClientAsync();

        var now = DateTimeOffset.UtcNow;
        var (updates, inside) = Population(users, now);
        var (baselineRate, checksum) = MeasureBaseline(updates);

        var before = ManagedHeap.LiveBytes();
        var (applied, ingestTime) = await IngestAsync(client, updates);
        var ingestRate = users / ingestTime.TotalSeconds;
        var after = ManagedHeap.LiveBytes();
        // The input array is in "before": it must still be alive in "after", or its size (64 bytes a user)
        // is subtracted from the residents' memory.
        GC.KeepAlive(updates);

        // Write what no report waited for (departures) before dispatching, and time it.
        var writer = silo.Services.GetRequiredService<ResidentWriter>();
        var flush = Stopwatch.StartNew();
        var pendingRows = writer.Pending;
        await writer.FlushAsync();
        flush.Stop();

        var (subscription, dispatchTime) = await DispatchAsync(client, () => silo.ConnectClientAsync(BenchSettings.ApproverCredential), inside);

        Console.WriteLine($"storage: {database.Provider}, one in-process silo");
        Console.WriteLine($"users: {users:N0}, inside the 120 km circle: {inside:N0} (checksum {checksum % 1000})");
        Console.WriteLine($"baseline (validate + encode, no grains): {baselineRate:N0} updates/s");
        Console.WriteLine($"ingest through the Orleans client: {ingestRate:N0} updates/s ({applied:N0} applied in {ingestTime.TotalSeconds:N1} s) = {ingestRate / baselineRate:P2} of baseline");
        Console.WriteLine($"memory: {(after - before) / (double)users:N0} bytes per resident (heap {before / 1e6:N0} MB -> {after / 1e6:N0} MB, cells and directory included)");
        Console.WriteLine($"writer drained after ingest: {pendingRows:N0} changes nobody waited for, in {flush.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"dispatch: {inside:N0} recipients handed to the gateway in {dispatchTime.TotalSeconds:N1} s = {inside / dispatchTime.TotalSeconds:N0} recipients/s");

        // A graceful restart on the same store, the case still active: how long the stop and the start
        // take, and how long the first report waits while the directory shards and cells load their rows.
        var stop = Stopwatch.StartNew();
        await subscription.DisposeAsync();
        await client.DisposeAsync();
        await silo.DisposeAsync();
        stop.Stop();
        var sinceStop = Stopwatch.StartNew();
        var start = Stopwatch.StartNew();
        silo = await BenchSilo.StartAsync(database, clusterId);
        client = await silo.ConnectClientAsync();
        start.Stop();
        // Every directory shard reads its rows when it activates; an empty batch activates them all.
        var directory = Stopwatch.StartNew();
        var shards = silo.Services.GetRequiredService<IOptions<AlertsOptions>>().Value.DirectoryShards;
        await Task.WhenAll(Enumerable.Range(0, shards).Select(shard => silo.Grains.GetGrain<IUserDirectoryGrain>(shard).Apply([])));
        directory.Stop();
        var moved = updates.Take(10_000).Select(u => u with { FixTime = now.AddMinutes(1) }).ToList();
        var firstReport = Stopwatch.StartNew();
        var afterRestart = await client.GetGrain<IResidencyGrain>(0).Report(moved);
        firstReport.Stop();
        // The recovered case sweeps its cells again (a late arrival may have been lost with the old silo): wait for
        // that pass, so the final stop does not interrupt it; the moved residents' one-way notices land on the way.
        var caseGrain = client.GetGrain<ICaseGrain>("bench");
        CaseProgress progress;
        while ((progress = await caseGrain.GetProgress()) is { Status: CaseStatus.Dispatching } || progress.CellsDone < progress.CellsTotal)
        {
            if (sinceStop.Elapsed > TimeSpan.FromMinutes(5)) break;
            await Task.Delay(50);
        }

        Console.WriteLine($"restart: stop {stop.Elapsed.TotalSeconds:N1} s, start {start.Elapsed.TotalSeconds:N1} s, {shards} directory shards loaded in {directory.Elapsed.TotalSeconds:N1} s, then the first report of {moved.Count:N0} updates answered in {firstReport.Elapsed.TotalSeconds:N1} s ({afterRestart.Applied:N0} applied)");
        Console.WriteLine($"after the restart the case swept its {progress.CellsTotal:N0} cells again ({progress.Status}, {progress.Recipients:N0} recipients), done {sinceStop.Elapsed.TotalSeconds:N1} s after the stop ended");
        await client.DisposeAsync();
        await silo.DisposeAsync();
    }

    /// <summary>
    /// Three silo processes (the Silo app, `migrate` first) on a fresh database of the given PostgreSQL server,
    /// and a client that finds their gateways in the membership table; ingest and dispatch only.
    /// </summary>
    public static async Task RunClusterAsync(int users, string postgresServer)
    {
        const int SiloCount = 3;
        using var database = BenchDatabase.Postgres(postgresServer);
        var settings = BenchSettings.For("postgres", database.ConnectionString, BenchSettings.NewClusterId());
        settings["Logging:LogLevel:Default"] = "Warning";
        var arguments = settings.Select(s => $"--{s.Key}={s.Value}").ToList();
        var migrate = Stopwatch.StartNew();
        var (exitCode, output) = await SiloProcess.RunAsync(["migrate", .. arguments]);
        if (exitCode != 0) throw new InvalidOperationException($"Alerts.Silo.dll migrate failed ({exitCode}): {output}");
        migrate.Stop();

        var silos = new List<SiloProcess>();
        try
        {
            var start = Stopwatch.StartNew();
            for (var i = 1; i <= SiloCount; i++) silos.Add(await SiloProcess.StartAsync(settings, $"silo-{i}"));

            start.Stop();
            var client = await AlertsClient.ConnectAsync(new AlertsClientOptions
            {
                ClusterId = settings["Alerts:Cluster:ClusterId"]!,
                MembershipConnectionString = database.ConnectionString,
                Credential = BenchSettings.Credential,
            });

            var now = DateTimeOffset.UtcNow;
            var (updates, inside) = Population(users, now);
            var (baselineRate, checksum) = MeasureBaseline(updates);
            var (applied, ingestTime) = await IngestAsync(client, updates);
            var ingestRate = users / ingestTime.TotalSeconds;

            // Reports are answered once written: every resident's row must be in the table already (checked from outside).
            var drain = Stopwatch.StartNew();
            var rowsAtEnd = await CountResidentsAsync(database.ConnectionString);
            while (await CountResidentsAsync(database.ConnectionString) < users)
            {
                if (drain.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the silos did not write every resident within 10 minutes");
                await Task.Delay(100);
            }

            drain.Stop();

            var (subscription, dispatchTime) = await DispatchAsync(client, () => AlertsClient.ConnectAsync(new AlertsClientOptions
            {
                ClusterId = settings["Alerts:Cluster:ClusterId"]!,
                MembershipConnectionString = database.ConnectionString,
                Credential = BenchSettings.ApproverCredential,
            }), inside);
            var stats = await client.GetGrain<IPushHubGrain>(0).GetStats();

            Console.WriteLine($"storage: postgres, a cluster of {SiloCount} silo processes on this machine (migrate {migrate.Elapsed.TotalSeconds:N1} s, silos started one after another in {start.Elapsed.TotalSeconds:N1} s), client through the membership table");
            foreach (var silo in silos) Console.WriteLine($"  {silo.Name}: http {silo.HttpPort}, gateway {silo.GatewayPort}, silo {silo.SiloAddress}");
            Console.WriteLine($"users: {users:N0}, inside the 120 km circle: {inside:N0} (checksum {checksum % 1000})");
            Console.WriteLine($"baseline (validate + encode, no grains): {baselineRate:N0} updates/s");
            Console.WriteLine($"ingest through the Orleans client: {ingestRate:N0} updates/s ({applied:N0} applied in {ingestTime.TotalSeconds:N1} s) = {ingestRate / baselineRate:P2} of baseline");
            Console.WriteLine($"rows after ingest: {users - rowsAtEnd:N0} residents' rows still missing when ingest ended, all {users:N0} in the table {drain.Elapsed.TotalSeconds:N1} s later");
            Console.WriteLine($"dispatch: {inside:N0} recipients handed to the gateway in {dispatchTime.TotalSeconds:N1} s = {inside / dispatchTime.TotalSeconds:N0} recipients/s (hub: {stats.Acknowledged:N0} batches acknowledged, {stats.Resent:N0} resent, {stats.Gateways} gateway)");
            Console.WriteLine("memory per resident and graceful restart: skipped for the cluster (the residents live in three other processes; run `residency [users] [pg]` for them)");

            await subscription.DisposeAsync();
            await client.DisposeAsync();
            foreach (var silo in silos) await silo.TerminateAsync();
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    // A tenth inside the circle, the rest spread over southern and eastern China outside it.
    private static (LocationUpdate[] Updates, int Inside) Population(int users, DateTimeOffset now)
    {
        var random = new Random(1);
        var updates = new LocationUpdate[users];
        for (var i = 0; i < users; i++)
        {
            GeoPoint p;
            if (i % 10 == 0) p = GreatCircle.Destination(Lat, Lon, random.NextDouble() * 360, Radius * Math.Sqrt(random.NextDouble()));
            else do p = new GeoPoint(18 + random.NextDouble() * 22, 100 + random.NextDouble() * 22); while (GreatCircle.Distance(Lat, Lon, p.Latitude, p.Longitude) <= Radius);
            updates[i] = new LocationUpdate(i + 1, p.Latitude, p.Longitude, now);
        }

        return (updates, updates.Count(u => GreatCircle.Distance(Lat, Lon, u.Latitude, u.Longitude) <= Radius));
    }

    // 10,000 updates a call, four calls in flight, as a gateway with a few senders would have.
    private static async Task<(int Applied, TimeSpan Elapsed)> IngestAsync(AlertsClient client, LocationUpdate[] updates)
    {
        var ingest = Stopwatch.StartNew();
        var applied = 0;
        var residency = client.GetGrain<IResidencyGrain>(0);
        foreach (var group in updates.Chunk(10_000).Chunk(4))
            applied += (await Task.WhenAll(group.Select(batch => residency.Report(batch.ToList())))).Sum(r => r.Applied);
        ingest.Stop();
        return (applied, ingest.Elapsed);
    }

    // A gateway connected through the client, kept subscribed by PushSubscription, acknowledging every batch.
    private static async Task<(PushSubscription Subscription, TimeSpan Elapsed)> DispatchAsync(AlertsClient client, Func<Task<AlertsClient>> connectApprover, int inside)
    {
        var gateway = new CountingGateway(client.Cluster, inside);
        var subscription = await PushSubscription.StartAsync(client.Cluster, "bench", gateway);
        await using var approver = await connectApprover();
        var dispatch = Stopwatch.StartNew();
        var caseGrain = client.GetGrain<ICaseGrain>("bench");
        await BenchCases.FileAndApproveAsync(client, approver, "bench", Lat, Lon, Radius);
        await gateway.AllReceived.WaitAsync(TimeSpan.FromMinutes(30));
        dispatch.Stop();
        // The last recipients may come before the last (empty) cells of the circle are collected: let the
        // dispatch finish, untimed, so what follows (a restart) does not interrupt it.
        var finishing = Stopwatch.StartNew();
        while ((await caseGrain.GetProgress()).Status == CaseStatus.Dispatching && finishing.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
        return (subscription, dispatch.Elapsed);
    }

    private static async Task<long> CountResidentsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM residents", connection);
        return (long)(await command.ExecuteScalarAsync())!;
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
}
