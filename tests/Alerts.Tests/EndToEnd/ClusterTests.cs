using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;
using Dapper;
using Npgsql;
using Xunit.Abstractions;

namespace Alerts.Tests;

/// <summary>
/// A real cluster on this machine: PostgreSQL, `migrate`, three silo processes that find each other
/// through the membership table, clients that find them the same way, and a silo killed mid-dispatch.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    // Probe settings for the test cluster: a silo that stops answering is declared dead after about
    // two missed probes of one second each, voted by the two survivors.
    private static Dictionary<string, string?> Settings(string connectionString, string clusterId)
    {
        var settings = ProcessSettings.For("postgres", connectionString, clusterId);
        settings["Alerts:Cluster:Membership:ProbeTimeout"] = "00:00:01";
        settings["Alerts:Cluster:Membership:NumMissedProbesLimit"] = "2";
        settings["Alerts:Cluster:Membership:NumVotesForDeathDeclaration"] = "2";
        settings["Alerts:Cluster:Membership:TableRefreshTimeout"] = "00:00:02";
        settings["Alerts:Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:05";
        // A grain per cell and one cell per step stretch the dispatch over many durable steps, so the kill lands inside it.
        settings["Alerts:BlockPrecision"] = "5";
        settings["Alerts:CellsPerDispatchStep"] = "1";
        return settings;
    }

    [Fact]
    public async Task Three_silos_survive_one_killed_mid_dispatch_and_a_late_joiner_takes_new_activations()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        var clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..6];
        var settings = Settings(database, clusterId);

        // A silo refuses a database without the schema, naming the command that fixes it.
        var refused = await SiloProcess.RunAsync([.. settings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("migrate", refused.Output);
        var migrated = await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.True(migrated.ExitCode == 0, migrated.Output);
        Assert.Equal(0, (await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")])).ExitCode);

        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 1; i <= 3; i++) silos.Add(await SiloProcess.StartAsync(settings, $"silo-{i}"));

            var (lat, lon, radius) = (22.5431, 114.0579, 120_000.0);
            var residents = Population.Around(1, lat, lon, radius, scatter: 6_000, DateTimeOffset.UtcNow.AddMinutes(-1));
            var expected = Population.Inside(residents, lat, lon, radius);
            await using var client = await ProcessSettings.ConnectThroughMembershipAsync(clusterId, database);
            var ingest = await Population.ReportAsync(client.GetGrain<IResidencyGrain>(0), residents);
            Assert.Equal(residents.Count, ingest.Applied);
            // Answered only once written, by whichever silo's writer holds each block: the kill below loses none of them.
            Assert.Equal(residents.Count, await CountResidentsAsync(database));

            var gateway = new RemoteGateway(client.Cluster);
            await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-1"), gateway);
            const string caseId = "kill-cluster";
            var caseGrain = client.GetGrain<ICaseGrain>(caseId);
            await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child, last seen near Futian station", "https://alerts.example/c/kill"));
            // The approver connects first and closes after the kill: closing a client between the approval and the kill
            // gave the dispatch time to finish in the embedded kill test (seen in a CI-clone run).
            var approver = await ProcessSettings.ConnectThroughMembershipAsync(clusterId, database, ProcessSettings.ApproverCredential);
            await approver.GetGrain<ICaseGrain>(caseId).Approve();
            await gateway.FirstBatch;

            // Kill the silo the case lives on (each case logs where it activates), in the middle of its dispatch.
            var victim = silos.First(s => s.Output.Any(l => l.Contains($"Case {caseId} active on {s.SiloAddress}", StringComparison.Ordinal)));
            var atKill = await caseGrain.GetProgress();
            var killedAt = Stopwatch.StartNew();
            await victim.KillAsync();
            silos.Remove(victim);
            await approver.DisposeAsync();
            Assert.True(atKill.Status == CaseStatus.Dispatching && atKill.CellsDone < atKill.CellsTotal, $"the kill must land mid-dispatch: {atKill}");

            // Location reports during the failure: the client retries what fails, and each is applied once.
            var moved = residents.Take(200).Select(r => r with { FixTime = r.FixTime.AddSeconds(30) }).ToList();
            var duringFailure = await Transient.RetryAsync(() => Population.ReportAsync(client.GetGrain<IResidencyGrain>(0), moved));
            Assert.Equal(moved.Count, duringFailure.Applied + duringFailure.Ignored);

            // The survivors declare the victim dead and the case goes on from its durable progress elsewhere.
            var declared = await await Task.WhenAny(silos.Select(s => s.WaitForLineAsync(l => l.Contains("declared dead: resumed", StringComparison.Ordinal), TimeSpan.FromSeconds(120))));
            output.WriteLine($"death declared and cases resumed {killedAt.Elapsed.TotalSeconds:0.0} s after the kill: {declared}");
            var watcher = new ProgressWatcher();
            await Transient.RetryAsync(() => client.GetGrain<ICaseGrain>(caseId).Watch(client.CreateObjectReference<ICaseObserver>(watcher)));
            var done = await watcher.WaitFor(p => p.Status == CaseStatus.Active);
            try
            {
                // About 2,000 batches of one or two users (a grain and a step per cell), as in the embedded kill test: 504 of
                // 2,720 pushes after 90 s once in a CI-clone run whose test host had leaked spinning silos (2026-12-01,
                // fixed by FailedStart). The bound is for a dispatch that stopped, not for a busy machine.
                await gateway.WaitForPushes(expected.Count, TimeSpan.FromMinutes(6));
            }
            catch (TimeoutException)
            {
                var stats = await client.GetGrain<IPushHubGrain>(0).GetStats();
                output.WriteLine($"pushes {gateway.Pushes.Count} of {expected.Count}, recipients {done.Recipients}, hub {stats}");
                foreach (var silo in silos) output.WriteLine($"--- {silo.Name}\n" + string.Join('\n', silo.Output.TakeLast(30)));
                throw;
            }

            output.WriteLine($"dispatch complete {killedAt.Elapsed.TotalSeconds:0.0} s after the kill");

            Assert.Equal(expected.Count, done.Recipients);
            var pushes = gateway.Pushes;
            Assert.Equal(pushes.Count, pushes.Distinct().Count());
            Assert.Equal(expected.OrderBy(x => x), pushes.OrderBy(x => x));

            // A silo that joins later takes a share of new activations.
            var joiner = await SiloProcess.StartAsync(settings, "silo-4");
            silos.Add(joiner);
            // Placement picks among the silos the receiving silo knows: wait until every live silo's view lists the joiner.
            await WaitUntilAsync(async () => (await Task.WhenAll(silos.Select(ActiveSilosAsync))).All(n => n == silos.Count), TimeSpan.FromSeconds(60));
            var before = await ActivationsAsync(joiner);
            await Task.WhenAll(Enumerable.Range(0, 300).Select(i => client.GetGrain<ICaseGrain>($"later-{i}").GetProgress()));
            var after = await ActivationsAsync(joiner);
            output.WriteLine($"the joiner went from {before} to {after} activations");
            Assert.True(after - before >= 30, $"the late silo took {after - before} of 300 new activations");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_widening_ring_fires_on_its_time_after_the_silo_holding_its_case_was_killed()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        var clusterId = "ring-" + Guid.NewGuid().ToString("N")[..6];
        var settings = Settings(database, clusterId);
        Assert.Equal(0, (await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")])).ExitCode);
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 1; i <= 3; i++) silos.Add(await SiloProcess.StartAsync(settings, $"ring-silo-{i}"));
            var (lat, lon) = (22.5431, 114.0579);
            var residents = Population.Around(1, lat, lon, 40_000, scatter: 1_500, DateTimeOffset.UtcNow.AddMinutes(-1));
            var firstRing = Population.Inside(residents, lat, lon, 15_000);
            var secondRing = Population.Inside(residents, lat, lon, 40_000);
            Assert.True(secondRing.Count > firstRing.Count && firstRing.Count > 0, "the population must spread over both rings");
            await using var client = await ProcessSettings.ConnectThroughMembershipAsync(clusterId, database);
            Assert.Equal(residents.Count, (await Population.ReportAsync(client.GetGrain<IResidencyGrain>(0), residents)).Applied);
            Assert.Equal(residents.Count, await CountResidentsAsync(database));

            var gateway = new RemoteGateway(client.Cluster);
            await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-ring"), gateway);
            const string caseId = "ring-cluster";
            var caseGrain = client.GetGrain<ICaseGrain>(caseId);
            // 15 km at approval, 40 km after 75 s: time enough to kill the case's silo and for the survivors to notice.
            await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, 15_000) with { Rings = [new WideningRing(TimeSpan.FromSeconds(75), 40_000)] });
            await ProcessSettings.ApproveThroughMembershipAsync(clusterId, database, caseId);
            var approvedAt = Stopwatch.StartNew();
            await gateway.WaitForPushes(firstRing.Count);

            var victim = silos.First(s => s.Output.Any(l => l.Contains($"Case {caseId} active on {s.SiloAddress}", StringComparison.Ordinal)));
            await victim.KillAsync();
            silos.Remove(victim);
            await await Task.WhenAny(silos.Select(s => s.WaitForLineAsync(l => l.Contains("declared dead", StringComparison.Ordinal), TimeSpan.FromSeconds(120))));
            Assert.True(approvedAt.Elapsed < TimeSpan.FromSeconds(75), $"the silo must die before the ring's time; it took {approvedAt.Elapsed}");

            // The durable reminder fires on a survivor; the ring reaches only the users newly inside, each once.
            await WaitUntilAsync(async () => await Transient.RetryAsync(() => caseGrain.GetProgress()) is { RadiusMeters: 40_000, Status: CaseStatus.Active },
                TimeSpan.FromMinutes(4));
            output.WriteLine($"ring fired and dispatched {approvedAt.Elapsed.TotalSeconds:0.0} s after approval (due at 75 s)");
            await gateway.WaitForPushes(secondRing.Count);
            var pushes = gateway.Pushes;
            Assert.Equal(secondRing.Order(), pushes.Order());
            Assert.Equal(1, (await caseGrain.GetRecord()).RingsFired);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Moves_reported_while_a_silo_is_killed_leave_each_user_in_the_block_of_their_newest_fix()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        var clusterId = "moves-" + Guid.NewGuid().ToString("N")[..6];
        var settings = Settings(database, clusterId);
        Assert.Equal(0, (await SiloProcess.RunAsync(["migrate", .. settings.Select(s => $"--{s.Key}={s.Value}")])).ExitCode);
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 1; i <= 3; i++) silos.Add(await SiloProcess.StartAsync(settings, $"moves-silo-{i}"));
            var (lat, lon) = (22.5431, 114.0579);
            var residents = Population.Around(1, lat, lon, 20_000, scatter: 2_000, DateTimeOffset.UtcNow.AddMinutes(-2));
            await using var client = await ProcessSettings.ConnectThroughMembershipAsync(clusterId, database);
            var residency = client.GetGrain<IResidencyGrain>(0);
            Assert.Equal(residents.Count, (await Population.ReportAsync(residency, residents)).Applied);

            // Every other user moves 300 km north, ten to a report; the silo holding the most directory shards is
            // killed once the first report is answered, so moves are in flight through its shards and blocks.
            var moves = residents.Where(r => r.UserId % 2 == 0).Select(r =>
            {
                var to = Geo.GreatCircle.Destination(r.Latitude, r.Longitude, 0, 300_000);
                return new LocationUpdate(r.UserId, to.Latitude, to.Longitude, r.FixTime.AddMinutes(1));
            }).ToList();
            var stayed = residents.Where(r => r.UserId % 2 == 1).ToList();
            int ShardsOn(SiloProcess silo) => silo.Output.Count(l => l.Contains("Directory shard", StringComparison.Ordinal) && l.Contains($"active on {silo.SiloAddress}", StringComparison.Ordinal));
            var victim = silos.MaxBy(ShardsOn)!;
            Assert.True(ShardsOn(victim) > 0, "the shards' silos are named in their logs");
            var firstAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reporting = Task.Run(async () =>
            {
                foreach (var report in moves.Chunk(10))
                {
                    // The gateway's part: a report that fails is sent again until answered.
                    var result = await Transient.RetryAsync(() => residency.Report([.. report]));
                    Assert.Equal(report.Length, result.Applied + result.Ignored);
                    firstAnswered.TrySetResult();
                }
            });
            await firstAnswered.Task;
            await victim.KillAsync();
            silos.Remove(victim);
            await reporting;
            await await Task.WhenAny(silos.Select(s => s.WaitForLineAsync(l => l.Contains("declared dead", StringComparison.Ordinal), TimeSpan.FromSeconds(120))));

            // What failed calls left is settled on demand, as an operator's `alerts settle` does, until none is left (a
            // survivor may still route a call to the dead silo until it too has taken in the death).
            await WaitUntilAsync(async () => (await Transient.RetryAsync(() => residency.Settle())).IsSettled, TimeSpan.FromSeconds(60));

            // Every position is stored where its newest fix put it.
            await using (var connection = new NpgsqlConnection(database))
            {
                var stored = (await connection.QueryAsync<(long UserId, double Lat)>("SELECT user_id, lat FROM residents")).ToDictionary(r => r.UserId, r => r.Lat);
                var missing = residents.Where(r => !stored.ContainsKey(r.UserId)).Select(r => r.UserId).ToList();
                if (missing.Count > 0)
                {
                    // What the silos said, to find out how (a lost row was how the writer's put-back defect showed).
                    output.WriteLine($"no row for users {string.Join(",", missing)} ({missing.Count(id => id % 2 == 0)} of them movers); killed {victim.Name}");
                    foreach (var silo in silos.Append(victim)) output.WriteLine($"--- {silo.Name}\n" + string.Join('\n', silo.Output.Where(l => !l.Contains("Case ", StringComparison.Ordinal)).TakeLast(60)));
                }
                Assert.Equal(residents.Count, stored.Count);
                Assert.All(moves, m => Assert.Equal(m.Latitude, stored[m.UserId]));
                // Writers of different silos moving users across each other's blocks wait for no row the other holds.
                Assert.DoesNotContain(silos.Append(victim).SelectMany(s => s.Output), l => l.Contains("40P01", StringComparison.Ordinal));
                Assert.All(stayed, r => Assert.Equal(r.Latitude, stored[r.UserId]));
            }

            // And held in memory there: a case where everyone was reaches exactly those who stayed (a block still
            // holding a mover would alert them where they no longer are); one where the movers went reaches exactly them.
            var north = Geo.GreatCircle.Destination(lat, lon, 0, 300_000);
            Assert.Equal(moves.Count, Population.Inside(moves, north.Latitude, north.Longitude, 40_000).Count);
            Assert.Equal(stayed.Count, Population.Inside(stayed, lat, lon, 40_000).Count);
            Assert.Equal(stayed.Select(r => r.UserId).Order(), await RecipientsAsync(client, clusterId, database, "moves-stayed", lat, lon));
            Assert.Equal(moves.Select(m => m.UserId).Order(), await RecipientsAsync(client, clusterId, database, "moves-went", north.Latitude, north.Longitude));
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    // Files and approves a 40 km case, waits until its dispatch is done, and reads whom it recorded.
    private static async Task<List<long>> RecipientsAsync(AlertsClient client, string clusterId, string database, string caseId, double lat, double lon)
    {
        var caseGrain = client.GetGrain<ICaseGrain>(caseId);
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, 40_000));
        var watcher = new ProgressWatcher();
        await caseGrain.Watch(client.CreateObjectReference<ICaseObserver>(watcher));
        await ProcessSettings.ApproveThroughMembershipAsync(clusterId, database, caseId);
        await watcher.WaitFor(p => p.Status == CaseStatus.Active);
        await using var connection = new NpgsqlConnection(database);
        return (await connection.QueryAsync<long>("SELECT user_id FROM case_recipients WHERE case_id = @caseId ORDER BY user_id", new { caseId })).ToList();
    }

    // The silo's health report counts its activations ("…; activations: 12").
    private static async Task<int> ActivationsAsync(SiloProcess silo)
    {
        var description = await ClusterHealthAsync(silo);
        var marker = description.IndexOf("activations: ", StringComparison.Ordinal);
        return int.Parse(description[(marker + 13)..].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    // …and how many active silos its membership view holds ("silo S is Active; 3 active: …").
    private static async Task<int> ActiveSilosAsync(SiloProcess silo)
    {
        var description = await ClusterHealthAsync(silo);
        var marker = description.IndexOf(" active: ", StringComparison.Ordinal);
        return int.Parse(description[..marker].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> ClusterHealthAsync(SiloProcess silo)
    {
        using var http = new HttpClient();
        var report = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{silo.HttpPort}/health");
        return report.GetProperty("checks").GetProperty("cluster").GetProperty("description").GetString()!;
    }

    private static async Task<long> CountResidentsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM residents");
    }

    // Polls a condition that other processes make true; fails with a timeout rather than hanging.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {timeout}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
