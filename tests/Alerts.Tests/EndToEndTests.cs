using Alerts.Client;
using Alerts.GrainInterfaces;
using Alerts.Runtime;
using Alerts.Runtime.Tests;

namespace Alerts.Tests;

/// <summary>The real silo process, a gateway client in this process, and a SIGKILL in the middle of a dispatch.</summary>
public sealed class EndToEndTests
{
    private static Dictionary<string, string?> Settings(StorageOptions storage) => new()
    {
        ["Alerts:Silo:Storage:Provider"] = storage.Provider,
        ["Alerts:Silo:Storage:ConnectionString"] = storage.ConnectionString,
        ["Alerts:Silo:Gateway:Clients:0:Name"] = "tester",
        ["Alerts:Silo:Gateway:Clients:0:SecretHash"] = CredentialHash.Create("s3cret"),
        ["Alerts:Silo:Gateway:Clients:0:Roles:0"] = Roles.Gateway,
        ["Alerts:Silo:Gateway:Clients:0:Roles:1"] = Roles.Admin,
        ["Alerts:PushBatchSize"] = "50",
        // One cell per step stretches the dispatch over many durable steps, so the kill lands inside it.
        ["Alerts:CellsPerDispatchStep"] = "1",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    [Theory]
    [MemberData(nameof(StorageKind.All), MemberType = typeof(StorageKind))]
    public async Task A_silo_killed_mid_dispatch_resumes_and_nobody_is_pushed_twice_or_missed(string provider)
    {
        var storage = StorageKind.Fresh(provider);
        var port = SiloProcess.FreePort();
        var (lat, lon, radius) = (22.5431, 114.0579, 120_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 6_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);

        // Residents arrive, then a graceful restart: every position must survive it.
        var silo = await SiloProcess.StartAsync(port, Settings(storage), "Alerts.Silo");
        await using (var setup = await Connect(port))
        {
            var ingest = await Population.ReportAsync(setup.GetGrain<IResidencyGrain>(0), residents);
            Assert.Equal(residents.Count, ingest.Applied);
        }

        await silo.TerminateAsync();
        await silo.DisposeAsync();
        silo = await SiloProcess.StartAsync(port, Settings(storage), "Alerts.Silo");

        await using var client = await Connect(port);
        var gateway = new RemoteGateway(client);
        var gatewayReference = client.CreateObjectReference<IPushGateway>(gateway);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += () =>
        {
            _ = client.GetGrain<IPushHubGrain>(0).Subscribe("gw-1", gatewayReference);
            reconnected.TrySetResult();
        };
        await client.GetGrain<IPushHubGrain>(0).Subscribe("gw-1", gatewayReference);

        var caseGrain = client.GetGrain<ICaseGrain>("kill-" + provider);
        await caseGrain.Open(new CaseDefinition(lat, lon, radius, "Missing child, last seen near Futian station", "https://alerts.example/c/kill"));
        await caseGrain.Dispatch();
        await gateway.FirstBatch;
        var atKill = await caseGrain.GetProgress();
        await silo.KillAsync();
        Assert.True(atKill.Status == CaseStatus.Dispatching && atKill.CellsDone < atKill.CellsTotal, $"the kill must land mid-dispatch: {atKill}");

        await using var restarted = await SiloProcess.StartAsync(port, Settings(storage), "Alerts.Silo");
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var watcher = new ProgressWatcher();
        await caseGrain.Watch(client.CreateObjectReference<ICaseObserver>(watcher));
        var done = await watcher.WaitFor(p => p.Status == CaseStatus.Dispatched);
        await gateway.WaitForPushes(expected.Count);

        Assert.Equal(expected.Count, done.Recipients);
        var pushes = gateway.Pushes;
        Assert.Equal(pushes.Count, pushes.Distinct().Count());
        Assert.Equal(expected.OrderBy(x => x), pushes.OrderBy(x => x));
    }

    [Fact]
    public async Task A_gateway_that_disconnects_loses_its_unacknowledged_batches_to_another_gateway()
    {
        var storage = StorageKind.Fresh("sqlite");
        var port = SiloProcess.FreePort();
        var (lat, lon, radius) = (-17.7134, 179.6, 80_000.0);
        var residents = Population.Around(1, lat, lon, radius, scatter: 3_000, DateTimeOffset.UtcNow.AddMinutes(-1));
        var expected = Population.Inside(residents, lat, lon, radius);
        var settings = Settings(storage);
        settings["Alerts:CellsPerDispatchStep"] = "16";
        await using var silo = await SiloProcess.StartAsync(port, settings, "Alerts.Silo");

        await using var admin = await Connect(port);
        await Population.ReportAsync(admin.GetGrain<IResidencyGrain>(0), residents);
        var leaving = await Connect(port);
        var silent = new RemoteGateway(leaving, acknowledge: false);
        await leaving.GetGrain<IPushHubGrain>(0).Subscribe("leaving", leaving.CreateObjectReference<IPushGateway>(silent));

        var caseGrain = admin.GetGrain<ICaseGrain>("two-gateways");
        await caseGrain.Open(new CaseDefinition(lat, lon, radius, "m", "https://alerts.example/c/2"));
        await caseGrain.Dispatch();
        await silent.FirstBatch;

        // A second gateway joins, then the first one drops its connection with batches unacknowledged.
        await using var staying = await Connect(port);
        var working = new RemoteGateway(staying);
        await staying.GetGrain<IPushHubGrain>(0).Subscribe("staying", staying.CreateObjectReference<IPushGateway>(working));
        await leaving.DisposeAsync();

        await working.WaitForPushes(expected.Count);
        Assert.Equal(expected.OrderBy(x => x), working.Pushes.OrderBy(x => x));
        Assert.NotEmpty(silent.Pushes);
    }

    private static Task<ClusterClient> Connect(int port) => ClusterClient.ConnectAsync(new ClusterClientOptions
    {
        Endpoint = new Uri($"ws://127.0.0.1:{port}/grains"),
        Credential = "tester:s3cret",
        ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    });

    /// <summary>A gateway in this process: drops repeated batch ids, acknowledges every batch (unless told not to).</summary>
    private sealed class RemoteGateway(ClusterClient client, bool acknowledge = true) : IPushGateway
    {
        private readonly object _gate = new();
        private readonly HashSet<long> _batchIds = [];
        private readonly List<long> _pushes = [];
        private readonly TaskCompletionSource _firstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

        public Task FirstBatch => _firstBatch.Task.WaitAsync(TimeSpan.FromSeconds(60));

        public List<long> Pushes
        {
            get { lock (_gate) return _pushes.ToList(); }
        }

        public async Task Deliver(PushBatch batch)
        {
            lock (_gate)
            {
                if (_batchIds.Add(batch.BatchId)) _pushes.AddRange(batch.UserIds);
                foreach (var waiter in _waiters.Where(w => _pushes.Count >= w.Count)) waiter.Done.TrySetResult();
            }

            _firstBatch.TrySetResult();
            if (!acknowledge) return;
            try
            {
                await client.GetGrain<IPushHubGrain>(0).Acknowledge([batch.BatchId]);
            }
            catch (GrainTransportException)
            {
                // The silo went away before the ack: the batch will come again with the same id.
            }
        }

        public Task WaitForPushes(int count)
        {
            lock (_gate)
            {
                if (_pushes.Count >= count) return Task.CompletedTask;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task.WaitAsync(TimeSpan.FromSeconds(120));
            }
        }
    }
}
