using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Silo;
using Alerts.TestSupport;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Alerts.Tests;

/// <summary>
/// A real silo in this process, built by the Silo's own hosting code on a given store, with the grains'
/// clock manual (Orleans' own clocks stay real). Calls through <see cref="Grains"/> come from inside the
/// silo (its hosted client), as the silo's own services make them.
/// </summary>
public sealed class AlertsSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private AlertsSilo(IHost host, ManualTimeProvider time, ClusterSettings cluster)
    {
        _host = host;
        Time = time;
        Cluster = cluster;
    }

    public ManualTimeProvider Time { get; }

    /// <summary>The settings it runs with (ports, cluster id).</summary>
    public ClusterSettings Cluster { get; }

    /// <summary>The silo's endpoint (address:port), as the live_silos table names it.</summary>
    public string SiloEndpoint => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.ToString();

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host.Services;

    public ResidentStore Residents => _host.Services.GetRequiredService<ResidentStore>();

    public CaseStore Cases => _host.Services.GetRequiredService<CaseStore>();

    public StalePositionPurge Purge => _host.Services.GetRequiredService<StalePositionPurge>();

    /// <summary>A test-only setting: how long calls made inside the silo may wait for their answer, and activations to finish.</summary>
    public const string ResponseTimeoutSetting = "Test:ResponseTimeout";

    /// <summary>The fixed test epoch: every manual clock starts here.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A signing key shared by every test silo and token test.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>A share-token key shared by every test silo (Alerts:Engagement:ShareKey).</summary>
    public static readonly string ShareKey = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    /// <summary>
    /// Starts a silo on free ports with its own cluster id; <paramref name="settings"/> override any setting, and
    /// <paramref name="services"/> adds to the silo's services (a test's fault injection). A PostgreSQL store is migrated
    /// first unless <paramref name="migrated"/> says it was (by another role than the store's).
    /// </summary>
    public static async Task<AlertsSilo> StartAsync(TestStore store, ManualTimeProvider? time = null, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool migrated = false)
    {
        time ??= new ManualTimeProvider(Epoch);
        // As an operator runs `migrate` before a cluster's first start: Orleans' tables and the product's (a cluster silo
        // creates none).
        if (store.IsPostgres && !migrated)
        {
            var precision = settings?.GetValueOrDefault("Alerts:CellPrecision") is { } configured ? int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture) : new AlertsOptions().CellPrecision;
            await SiloCommands.ApplySchemaAsync(new ClusterSettings { Provider = store.Provider, ConnectionString = store.ConnectionString }, precision);
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        var all = new Dictionary<string, string?>
        {
            ["Alerts:Cluster:Provider"] = store.Provider,
            ["Alerts:Cluster:ConnectionString"] = store.ConnectionString,
            ["Alerts:Cluster:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8],
            ["Alerts:Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Cluster:Dashboard"] = "false",
            ["Alerts:Security:SigningKey"] = SigningKey,
            ["Alerts:Engagement:ShareKey"] = ShareKey,
            ["Alerts:Security:Clients:0:Name"] = "tester",
            ["Alerts:Security:Clients:0:SecretHash"] = ProcessSettings.TesterHash,
            ["Alerts:Security:Clients:0:Roles:0"] = Roles.Gateway,
            ["Alerts:Security:Clients:0:Roles:1"] = Roles.Admin,
            ["Alerts:Security:Clients:1:Name"] = Admins.Approver,
            ["Alerts:Security:Clients:1:SecretHash"] = ProcessSettings.TesterHash,
            ["Alerts:Security:Clients:1:Roles:0"] = Roles.Admin,
            ["Alerts:PushBatchSize"] = "50",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, time);
        builder.Services.AddKeyedSingleton<TimeProvider>(Orleans.Reminders.ReminderTimeProviderNames.Reminders, time);
        builder.UseAlertsSilo();
        builder.Services.Replace(ServiceDescriptor.Singleton<IFatalErrorHandler, StopSiloOnFatalError>());
        services?.Invoke(builder.Services);
        // A test that queues thousands of calls on purpose (a burst through a bounded pool) may allow them longer than
        // Orleans' 30 s default.
        // The same allowance for activations: one waiting for a pooled connection is canceled after Orleans' activation timeout.
        if (all.TryGetValue(ResponseTimeoutSetting, out var timeout) && timeout is not null)
        {
            var allowed = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);
            builder.Services.Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = allowed);
            builder.Services.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.ActivationTimeout = allowed);
        }
        var host = builder.Build();
        var cluster = host.Services.GetRequiredService<ClusterSettings>();
        try
        {
            // As the Silo's program starts it: a silo that refused to start (a bad setting, a port another silo holds) keeps
            // no ports, threads or connections (a leaked silo's membership loops kept two cores busy for the rest of a run).
            await host.StartAlertsSiloAsync();
        }
        catch
        {
            // Pools no host owns (Orleans' providers', and the one `migrate` above used), as at disposal.
            if (!cluster.IsEmbedded) ClearPools(cluster.OrleansConnectionString(), cluster.ConnectionString);
            throw;
        }

        return new AlertsSilo(host, time, cluster);
    }

    /// <summary>A real client connected to this silo's gateway port, signed in as the tester (both roles).</summary>
    public Task<Client.AlertsClient> ConnectClientAsync() => ProcessSettings.ConnectAsync(Cluster.ClusterId, Cluster.GatewayPort);

    /// <summary>A real client signed in as the second admin (approver role admin only).</summary>
    public Task<Client.AlertsClient> ConnectApproverAsync() => ProcessSettings.ConnectAsync(Cluster.ClusterId, Cluster.GatewayPort, ProcessSettings.ApproverCredential);

    /// <summary>A gateway that records and acknowledges every batch, subscribed to the push hub.</summary>
    public async Task<RecordingGateway> SubscribeGatewayAsync(string name = "gw")
    {
        var gateway = new RecordingGateway(Grains);
        await Grains.GetGrain<IPushHubGrain>(0).Subscribe(name, Grains.CreateObjectReference<IPushGateway>(gateway));
        return gateway;
    }

    /// <summary>Subscribes <paramref name="gateway"/> again (its lease runs on the manual clock, so a test that moves it far renews).</summary>
    public Task RenewAsync(RecordingGateway gateway, string name = "gw") =>
        Grains.GetGrain<IPushHubGrain>(0).Subscribe(name, Grains.CreateObjectReference<IPushGateway>(gateway));

    /// <summary>Files a case, has a second admin approve it, and waits until every cell of it is done.</summary>
    public async Task<CaseProgress> DispatchAsync(string caseId, CaseDefinition definition)
    {
        var watcher = new ProgressWatcher();
        var caseGrain = Grains.GetGrain<ICaseGrain>(caseId);
        using (Admins.As(Admins.Filer))
        {
            await caseGrain.Open(definition);
            await caseGrain.Submit();
        }

        await caseGrain.Watch(Grains.CreateObjectReference<ICaseObserver>(watcher));
        using (Admins.As(Admins.Approver)) await caseGrain.Approve();
        return await watcher.WaitFor(p => p.Status == CaseStatus.Active);
    }

    /// <summary>Waits until the case's current pass over its cells is done (it is active again) and returns its progress.</summary>
    public async Task<CaseProgress> DispatchedAsync(string caseId)
    {
        var watcher = new ProgressWatcher();
        await Grains.GetGrain<ICaseGrain>(caseId).Watch(Grains.CreateObjectReference<ICaseObserver>(watcher));
        return await watcher.WaitFor(p => p.Status == CaseStatus.Active);
    }

    /// <summary>Runs SQL on the silo's product database (a test's trigger that refuses writes, say).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await Services.GetRequiredService<StoreEngine>().OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    /// <summary>Reads rows from the silo's product database.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = await Services.GetRequiredService<StoreEngine>().OpenAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }

    /// <summary>The late arrivals a case has gathered and not yet recorded.</summary>
    public Task<List<long>> PendingLateArrivalsAsync(string caseId) => Grains.GetGrain<ICaseDispatchGrain>(caseId).PendingLateArrivals();

    /// <summary>
    /// Waits (on the real clock, without moving the manual one) until each user has reached the case, gathered or
    /// recorded: cells report late arrivals one-way, so a test that moves the clock first could start the case's
    /// wait after the move.
    /// </summary>
    public async Task WaitUntilCaseHasAsync(string caseId, IReadOnlyCollection<long> userIds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var seen = (await PendingLateArrivalsAsync(caseId)).Concat(await Cases.LoadRecipientsAsync(caseId)).ToHashSet();
            var missing = userIds.Where(u => !seen.Contains(u)).ToList();
            if (missing.Count == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"case {caseId} never heard of {missing.Count} users, e.g. {missing[0]}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        // Orleans' ADO.NET providers open pooled connections by connection string, and a pool outlives the silo: each
        // test's database would keep its idle connections for minutes, and dozens of tests exhaust the server's
        // max_connections under the cluster tests' processes. This silo's pool only (other tests' silos keep theirs).
        if (!Cluster.IsEmbedded) ClearPools(Cluster.OrleansConnectionString());
    }

    // Closes the idle pooled connections of these connection strings only.
    private static void ClearPools(params string[] connectionStrings)
    {
        foreach (var connectionString in connectionStrings)
        {
            using var pooled = new Npgsql.NpgsqlConnection(connectionString);
            Npgsql.NpgsqlConnection.ClearPool(pooled);
        }
    }
}
