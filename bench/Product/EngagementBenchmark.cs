using System.Diagnostics;
using Alerts.Client;
using Alerts.Bench.Orleans;
using Alerts.Geo;
using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Silo;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Bench.Product;

/// <summary>
/// Engagement counting through the real Orleans client: one case pushed to U users (recipients and residents written
/// straight into the tables), then deliveries, opens (30 %), shares (5 %), opens through those shares by users outside
/// the push, and sightings, reported 10,000 events a call with several calls in flight. The floor, measured in the same
/// run, is the database alone inserting as many rows (multi-row, de-duplicating inserts, no grains, no client).
/// </summary>
public static class EngagementBenchmark
{
    private const string CaseId = "bench-engagement";
    private const int EventsPerCall = 10_000;
    private const int CallsInFlight = 4;

    /// <summary>About <paramref name="events"/> events on SQLite, or on a fresh database of the given PostgreSQL server.</summary>
    public static async Task RunAsync(int events, string? postgresServer)
    {
        using var database = postgresServer is null ? BenchDatabase.Sqlite() : BenchDatabase.Postgres(postgresServer);
        await database.MigrateAsync();
        var silo = await BenchSilo.StartAsync(database, BenchSettings.NewClusterId());
        await using var client = await silo.ConnectClientAsync();
        var engine = silo.Services.GetRequiredService<StoreEngine>();

        // 1 delivery + 0.3 opens + 0.05 shares + 0.05 opens through shares + 0.001 sightings per pushed user.
        var pushed = (int)(events / 1.401);
        await SeedAsync(engine, pushed);

        var now = DateTimeOffset.UtcNow;
        var first = new List<EngagementEvent>(events);
        for (var u = 1; u <= pushed; u++)
        {
            var at = now.AddSeconds(-u % 600);
            first.Add(EngagementEvent.Delivered(CaseId, u, at));
            if (u % 10 < 3) first.Add(EngagementEvent.Opened(CaseId, u, at));
            if (u % 20 == 0) first.Add(EngagementEvent.Shared(CaseId, u, at, (ShareChannel)(u / 20 % 4)));
            if (u % 1_000 == 0) first.Add(EngagementEvent.Sighted(CaseId, u, at, new SightingDetails(22.5, 114.0, "seen near the station")));
        }

        var clock = Stopwatch.StartNew();
        var (counted, tokens) = await ReportAsync(client, first);
        // Opens through the shares' links by people the case never pushed to (user ids past the recipients).
        var second = tokens.Select((token, i) => EngagementEvent.Opened(CaseId, pushed + 1L + i, now, token)).ToList();
        var (countedSecond, _) = await ReportAsync(client, second);
        clock.Stop();
        var total = first.Count + second.Count;
        var rate = total / clock.Elapsed.TotalSeconds;

        var stats = await client.GetGrain<ICaseEngagementGrain>(CaseId).GetStats();
        var floor = await FloorAsync(engine, total);

        Console.WriteLine($"storage: {database.Provider}, one in-process silo, one case pushed to {pushed:N0} users");
        Console.WriteLine($"events: {total:N0} ({counted + countedSecond:N0} counted) through the Orleans client, {EventsPerCall:N0} a call, {CallsInFlight} calls in flight");
        Console.WriteLine($"counting: {rate:N0} events/s ({clock.Elapsed.TotalSeconds:N1} s)");
        Console.WriteLine($"floor (the database alone, the same number of rows in de-duplicating multi-row inserts): {floor:N0} rows/s; counting = {rate / floor:P0} of the floor");
        Console.WriteLine($"figures: delivered {stats.Delivered:N0}, opened {stats.Opened:N0} ({stats.OpensThroughShares:N0} through shares), shares {stats.Shares:N0}, " +
            $"sightings {stats.Sightings:N0}, refused {stats.Refused:N0}; map {stats.Cells.Count:N0} cells, timeline {stats.Timeline.Count:N0} minutes");
        await silo.DisposeAsync();
    }

    // Recipients, and residents within about 120 km of Shenzhen so events land in real cells.
    private static async Task SeedAsync(StoreEngine engine, int pushed)
    {
        var random = new Random(1);
        const int chunk = 50_000;
        for (var start = 1; start <= pushed; start += chunk)
        {
            var ids = Enumerable.Range(start, Math.Min(chunk, pushed - start + 1)).Select(i => (long)i).ToArray();
            var fixes = ids.Select(id => GreatCircle.Destination(22.5431, 114.0579, random.NextDouble() * 360, 120_000 * Math.Sqrt(random.NextDouble())) is var p
                ? (Geohash.Encode(p.Latitude, p.Longitude, 5), new ResidentFix(id, p.Latitude, p.Longitude, 0, false))
                : default).ToList();
            await using var connection = await engine.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await engine.InsertNewRowsAsync(connection, transaction, "case_recipients", 2,
                [("case_id", Enumerable.Repeat(CaseId, ids.Length).ToArray()), ("user_id", ids), ("pushed_ms", new long[ids.Length])]);
            await engine.WriteResidentsAsync(connection, transaction, fixes, []);
            await transaction.CommitAsync();
        }
    }

    private static async Task<(int Counted, List<string> Tokens)> ReportAsync(AlertsClient client, List<EngagementEvent> events)
    {
        var grain = client.GetGrain<IEngagementGrain>(0);
        var parts = events.Chunk(EventsPerCall).ToList();
        var results = new EngagementResult[parts.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, CallsInFlight).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < parts.Count; i = Interlocked.Increment(ref next)) results[i] = await grain.Report(parts[i].ToList());
        }));
        var problems = results.SelectMany(r => r.Rejections).Take(3).ToList();
        if (problems.Count > 0) throw new InvalidOperationException($"the benchmark's events were rejected: {string.Join("; ", problems)}");
        return (results.Sum(r => r.Counted), results.SelectMany(r => r.Shares).Select(s => s.Token).ToList());
    }

    // The same number of rows, shaped like deliveries, straight into the table in transactions of 10,000.
    private static async Task<double> FloorAsync(StoreEngine engine, int rows)
    {
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < rows; start += EventsPerCall)
        {
            var ids = Enumerable.Range(start + 1, Math.Min(EventsPerCall, rows - start)).Select(i => (long)i).ToArray();
            await using var connection = await engine.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await engine.InsertNewRowsAsync(connection, transaction, "engagement_deliveries", 2,
            [
                ("case_id", Enumerable.Repeat("bench-floor", ids.Length).ToArray()), ("user_id", ids), ("at_ms", new long[ids.Length]),
                ("cell", Enumerable.Repeat("ws105", ids.Length).ToArray()),
            ]);
            await transaction.CommitAsync();
        }

        return rows / clock.Elapsed.TotalSeconds;
    }
}
