using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary>The embedded silo as a real process: graceful restart, SIGKILL mid-dispatch, a gateway that goes away.</summary>
/// <remarks>
/// Alone: on CI, beside the rest of the suite, the kill test once saw a third of its pushes within 90 s, and once here
/// (2026-12-01) 600 of 2,720; its failure message carries the hub's counters and the silo's last lines.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class EmbeddedSiloTests
{
    [Fact]
    public async Task A_silo_killed_mid_dispatch_resumes_and_nobody_is_pushed_twice_or_missed()
    {
        var (store, clusterId, settings) = NewEmbeddedSilo();
        // A grain per cell and one cell per step stretch the dispatch over many durable steps, so the kill lands inside it.
        settings["Alerts:BlockPrecision"] = "5";
        settings["Alerts:CellsPerDispatchStep"] = "1";
        var (gatewayPort, siloPort) = (FreePorts.Next(), FreePorts.Next());
        var (lat, lon, radius) = (22.5431, 114.0579, 120_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 6_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);

        // Residents arrive, then a graceful restart: every position must survive it.
        var silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await using (var setup = await ProcessSettings.ConnectAsync(clusterId, gatewayPort))
        {
            var ingest = await Population.ReportAsync(setup.GetGrain<IResidencyGrain>(0), residents);
            Assert.Equal(residents.Count, ingest.Applied);
        }

        await silo.TerminateAsync();
        await silo.DisposeAsync();
        silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);

        await using var client = await ProcessSettings.ConnectAsync(clusterId, gatewayPort);
        var gateway = new RemoteGateway(client.Cluster);
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-1"), gateway);
        var caseGrain = client.GetGrain<ICaseGrain>("kill-embedded");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "Missing child, last seen near Futian station", "https://alerts.example/c/kill"));
        // The approver connects first: closing a client after the approval would give the dispatch time to finish before the kill.
        var approver = await ProcessSettings.ConnectAsync(clusterId, gatewayPort, ProcessSettings.ApproverCredential);
        await approver.GetGrain<ICaseGrain>("kill-embedded").Approve();
        await gateway.FirstBatch;
        var atKill = await caseGrain.GetProgress();
        await silo.KillAsync();
        await approver.DisposeAsync();
        Assert.True(atKill.Status == CaseStatus.Dispatching && atKill.CellsDone < atKill.CellsTotal, $"the kill must land mid-dispatch: {atKill}");

        // Same ports: the client reconnects by itself and the subscription renews on the new silo.
        await using var restarted = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        var watcher = new ProgressWatcher();
        await Transient.RetryAsync(() => client.GetGrain<ICaseGrain>("kill-embedded").Watch(client.CreateObjectReference<ICaseObserver>(watcher)));
        var done = await watcher.WaitFor(p => p.Status == CaseStatus.Active);
        try
        {
            // About 2,000 batches of one or two users (a grain per cell, a step per cell), each step and each acknowledgement
            // a synced SQLite commit: about 20 s here. It took minutes in full runs whose test host had leaked refused
            // in-process silos spinning on both cores (fixed 2026-12-01, FailedStart); the bound is for a dispatch that
            // stopped, not for a busy machine.
            await gateway.WaitForPushes(expected.Count, TimeSpan.FromMinutes(6));
        }
        catch (TimeoutException e)
        {
            // Failed once on CI (882 of 2720 pushes) and once here (600): say what the hub held and what the silo logged.
            var stats = await client.GetGrain<IPushHubGrain>(0).GetStats().WaitAsync(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"{e.Message}; hub {stats}; silo's last lines:\n{string.Join('\n', restarted.Output.TakeLast(40))}", e);
        }

        Assert.Equal(expected.Count, done.Recipients);
        var pushes = gateway.Pushes;
        Assert.Equal(pushes.Count, pushes.Distinct().Count());
        Assert.Equal(expected.OrderBy(x => x), pushes.OrderBy(x => x));
    }

    [Fact]
    public async Task A_gateway_that_goes_away_loses_its_unacknowledged_batches_to_another_gateway()
    {
        var store = StorageKind.Fresh("sqlite");
        var clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..6];
        var (lat, lon, radius) = (-17.7134, 179.6, 80_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 3_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);
        await using var silo = await SiloProcess.StartAsync(ProcessSettings.For(store.Provider, store.ConnectionString, clusterId), "embedded");

        await using var admin = await ProcessSettings.ConnectAsync(clusterId, silo.GatewayPort);
        await Population.ReportAsync(admin.GetGrain<IResidencyGrain>(0), residents);
        var leaving = await ProcessSettings.ConnectAsync(clusterId, silo.GatewayPort);
        var silent = new RemoteGateway(leaving.Cluster, acknowledge: false);
        var leavingSubscription = await PushSubscription.StartAsync(leaving.Cluster, ProcessSettings.GatewayName("leaving"), silent);

        var caseGrain = admin.GetGrain<ICaseGrain>("two-gateways");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "m", "https://alerts.example/c/2"));
        await ProcessSettings.ApproveAsync(clusterId, silo.GatewayPort, caseGrain.GetPrimaryKeyString());
        await silent.FirstBatch;

        // A second gateway joins, then the first one goes away with batches unacknowledged: when its lease
        // lapses (3 s here) they go to the second.
        await using var staying = await ProcessSettings.ConnectAsync(clusterId, silo.GatewayPort);
        var working = new RemoteGateway(staying.Cluster);
        await using var stayingSubscription = await PushSubscription.StartAsync(staying.Cluster, ProcessSettings.GatewayName("staying"), working);
        await leavingSubscription.DisposeAsync();
        await leaving.DisposeAsync();

        await working.WaitForPushes(expected.Count);
        Assert.Equal(expected.OrderBy(x => x), working.Pushes.OrderBy(x => x));
        Assert.NotEmpty(silent.Pushes);
    }

    [Fact]
    public async Task A_late_arrival_only_gathered_when_the_silo_is_killed_is_pushed_by_the_recovery_sweep()
    {
        var (store, clusterId, settings) = NewEmbeddedSilo();
        // Far longer than the test: the late arrival stays gathered in memory until the kill.
        settings["Alerts:LateArrivalMaxWait"] = "00:30:00";
        var (gatewayPort, siloPort) = (FreePorts.Next(), FreePorts.Next());
        var (lat, lon, radius) = (22.5431, 114.0579, 20_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 300, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);
        await using var engine = Grains.StoreEngine.For(store.Provider, store.ConnectionString);

        var silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await using var client = await ProcessSettings.ConnectAsync(clusterId, gatewayPort);
        await Population.ReportAsync(client.GetGrain<IResidencyGrain>(0), residents);
        var gateway = new RemoteGateway(client.Cluster);
        await using var subscription = await PushSubscription.StartAsync(client.Cluster, ProcessSettings.GatewayName("gw-1"), gateway);
        var caseGrain = client.GetGrain<ICaseGrain>("late-kill");
        await Admins.FileAsync(caseGrain, Admins.Case(lat, lon, radius, "m", "https://alerts.example/c/late"));
        await ProcessSettings.ApproveAsync(clusterId, gatewayPort, caseGrain.GetPrimaryKeyString());
        // Read, not watched: a watcher's one-way notifications can be dropped under load, the case's own answer cannot.
        var dispatched = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        for (var progress = await caseGrain.GetProgress(); progress.Status != CaseStatus.Active; progress = await caseGrain.GetProgress())
        {
            Assert.True(DateTime.UtcNow < dispatched, $"the case did not finish dispatching within 120 s: {progress}");
            await Task.Delay(100);
        }

        await gateway.WaitForPushes(expected.Count);

        // A newcomer arrives inside; the case gathers it. The report is answered once its position is written.
        var inside = Geo.GreatCircle.Destination(lat, lon, 60, radius / 2);
        await client.GetGrain<IResidencyGrain>(0).Report([new LocationUpdate(900_001, inside.Latitude, inside.Longitude, DateTimeOffset.UtcNow)]);
        Assert.Equal(1, await CountAsync(engine, "SELECT COUNT(*) FROM residents WHERE user_id = 900001"));
        Assert.Equal(0, await CountAsync(engine, "SELECT COUNT(*) FROM case_recipients WHERE user_id = 900001"));
        Assert.DoesNotContain(900_001L, gateway.Pushes);
        await silo.KillAsync();

        // The restarted silo resumes the dispatched case on a fresh activation, which sweeps its cells again.
        await using var restarted = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await gateway.WaitForPushes(expected.Count + 1);
        var pushes = gateway.Pushes;
        Assert.Contains(900_001L, pushes);
        Assert.Equal(pushes.Count, pushes.Distinct().Count());
        Assert.Equal(expected.Append(900_001L).Order(), pushes.Order());
        Assert.Equal(expected.Count + 1, await CountAsync(engine, "SELECT COUNT(*) FROM case_recipients WHERE case_id = 'late-kill'"));
    }

    [Fact]
    public async Task Positions_answered_just_before_a_SIGKILL_are_all_in_the_table()
    {
        var (store, clusterId, settings) = NewEmbeddedSilo();
        // No timed write within the test: only the reports' own waits can have written the rows.
        settings["Alerts:ResidentFlushInterval"] = "01:00:00";
        var (gatewayPort, siloPort) = (FreePorts.Next(), FreePorts.Next());
        var residents = Population.Around(3, 22.5431, 114.0579, 50_000, scatter: 5_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var moved = residents.Take(1_000).Select(r => r with { Latitude = r.Latitude + 0.5, FixTime = r.FixTime.AddSeconds(10) }).ToList();

        var silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await using (silo)
        {
            await using var client = await ProcessSettings.ConnectAsync(clusterId, gatewayPort);
            Assert.Equal(residents.Count, (await Population.ReportAsync(client.GetGrain<IResidencyGrain>(0), residents)).Applied);
            Assert.Equal(moved.Count, (await Population.ReportAsync(client.GetGrain<IResidencyGrain>(0), moved)).Applied);
            await silo.KillAsync();
        }

        await using var engine = Grains.StoreEngine.For(store.Provider, store.ConnectionString);
        Assert.Equal(residents.Count, await CountAsync(engine, "SELECT COUNT(*) FROM residents"));
        var storedFixes = (await new Grains.ResidentStore(engine).LoadDirectoryAsync(1))[0].ToDictionary(r => r.UserId, r => r.FixMs);
        Assert.All(moved, m => Assert.Equal(m.FixTime.ToUnixTimeMilliseconds(), storedFixes[m.UserId]));
    }

    [Fact]
    public async Task Audit_rows_a_killed_silo_owed_are_written_once_when_their_cases_reactivate()
    {
        var (store, clusterId, settings) = NewEmbeddedSilo();
        var (gatewayPort, siloPort) = (FreePorts.Next(), FreePorts.Next());
        await using var engine = Grains.StoreEngine.For(store.Provider, store.ConnectionString);
        var silo = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await using (silo)
        {
            await using var client = await ProcessSettings.ConnectAsync(clusterId, gatewayPort);
            var unwritten = client.GetGrain<ICaseGrain>("owed-unwritten");
            var unsaved = client.GetGrain<ICaseGrain>("owed-unsaved");
            await unwritten.Open(Admins.Case(22.5431, 114.0579, 20_000));
            await unsaved.Open(Admins.Case(22.5431, 114.0579, 20_000));

            // The audit log refuses both cases' rows (as a locked or unavailable table would): their submissions are
            // decided by the writes of their states, so they stand and are answered, their rows owed.
            await ExecuteAsync(engine, "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.subject LIKE 'owed-%' BEGIN SELECT RAISE(ABORT, 'refused'); END");
            Assert.Equal(CaseStatus.AwaitingApproval, (await unwritten.Submit()).Status);
            Assert.Equal(CaseStatus.AwaitingApproval, (await unsaved.Submit()).Status);
            // Then one case's row goes in (its retry timer writes it), but its state, which still owes the row, cannot be
            // written again: the silo dies with that row both in the log and owed, and with the other's only owed.
            await ExecuteAsync(engine, "CREATE TRIGGER refuse_state BEFORE UPDATE ON orleans_grain_state WHEN OLD.grain_id LIKE '%owed-unsaved%' BEGIN SELECT RAISE(ABORT, 'refused'); END");
            await ExecuteAsync(engine, "DROP TRIGGER refuse_audit; CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.subject = 'owed-unwritten' BEGIN SELECT RAISE(ABORT, 'refused'); END");
            await silo.WaitForLineAsync(l => l.Contains("owed-unsaved", StringComparison.Ordinal) && l.Contains("audit rows already written", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await silo.KillAsync();
        }

        Assert.Equal(["case.open"], await ActionsAsync(engine, "owed-unwritten"));
        Assert.Equal(["case.open", "case.submit"], await ActionsAsync(engine, "owed-unsaved"));
        Assert.Equal(2, await CountAsync(engine, OwingSubmissions));

        // Nothing resumes a case awaiting approval: any call wakes it on the restarted silo, and it writes what it owes first.
        await ExecuteAsync(engine, "DROP TRIGGER refuse_audit; DROP TRIGGER refuse_state");
        await using var restarted = await SiloProcess.StartAsync(settings, "embedded", gatewayPort, siloPort);
        await using (var client = await ProcessSettings.ConnectAsync(clusterId, gatewayPort))
        {
            await client.GetGrain<ICaseGrain>("owed-unwritten").GetProgress();
            await client.GetGrain<ICaseGrain>("owed-unsaved").GetProgress();
        }

        Assert.Equal(["case.open", "case.submit"], await ActionsAsync(engine, "owed-unwritten"));
        Assert.Equal(["case.open", "case.submit"], await ActionsAsync(engine, "owed-unsaved"));
        Assert.Equal(2, await CountAsync(engine, "SELECT COUNT(*) FROM audit_log WHERE subject LIKE 'owed-%' AND action = 'case.submit' AND actor = 'tester'"));
        // And no longer owes them: the states were written without the rows.
        Assert.Equal(0, await CountAsync(engine, OwingSubmissions));
    }

    // Case states that still list a submission's audit row as owed (the row's action is in the serialized state only then).
    private const string OwingSubmissions = "SELECT COUNT(*) FROM orleans_grain_state WHERE grain_id LIKE '%owed-%' AND instr(payload, CAST('case.submit' AS BLOB)) > 0";

    // A fresh SQLite store and the settings of an embedded silo process on it, under a cluster id of its own.
    private static (TestStore Store, string ClusterId, Dictionary<string, string?> Settings) NewEmbeddedSilo()
    {
        var store = StorageKind.Fresh("sqlite");
        var clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..6];
        return (store, clusterId, ProcessSettings.For(store.Provider, store.ConnectionString, clusterId));
    }

    private static async Task<long> CountAsync(Grains.StoreEngine engine, string sql)
    {
        await using var connection = await engine.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(Grains.StoreEngine engine, string sql)
    {
        await using var connection = await engine.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, sql);
    }

    private static async Task<List<string>> ActionsAsync(Grains.StoreEngine engine, string caseId)
    {
        await using var connection = await engine.OpenAsync();
        return (await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT action FROM audit_log WHERE subject = @caseId ORDER BY seq", new { caseId })).ToList();
    }
}
