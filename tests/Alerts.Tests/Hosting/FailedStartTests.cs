using Alerts.GrainInterfaces;
using Alerts.Grains;
using Alerts.Silo;
using Alerts.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Tests;

/// <summary>
/// A silo refused as it starts stops the Orleans stages its start reached, which Orleans' own stop leaves running, and
/// is disposed: its connections, files and ports are free for the next start.
/// </summary>
public sealed class FailedStartTests
{
    [Fact]
    public async Task A_silo_refused_before_it_became_active_stops_the_stages_it_had_started()
    {
        // A refusal in the application stage, after Orleans' runtime stages.
        var probe = new StageProbe(ServiceLifecycleStage.RuntimeGrainServices);
        var failing = new FailingStage(ServiceLifecycleStage.ApplicationServices);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"),
            services: s => s.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(probe).AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(failing)));

        Assert.Equal("refused in stage 10000", refused.Message);
        Assert.Equal(1, probe.Started);
        // Orleans' Silo.StopAsync throws for a silo still starting; without the product's stop this stage ran on.
        Assert.Equal(1, probe.Stopped);
    }

    [Fact]
    public async Task The_products_own_checks_refuse_a_silo_before_orleans_runtime_starts()
    {
        // A file made with another cell precision.
        var store = StorageKind.Fresh("sqlite");
        await using (var engine = StoreEngine.For(store.Provider, store.ConnectionString)) await new ProductSchema(engine).EnsureAsync(5);
        var probe = new StageProbe(ServiceLifecycleStage.RuntimeInitialize - 1);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store,
            settings: new() { ["Alerts:CellPrecision"] = "6" },
            services: s => s.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(probe)));

        Assert.Contains("CellPrecision is 6", refused.Message);
        // The stage in which Orleans binds its ports never started.
        Assert.Equal(0, probe.Started);
        // And what it made is disposed: its database file is not held open by a pool left behind.
        Assert.Empty(OpenedFiles(store));
    }

    [Fact]
    public async Task A_silo_refused_after_its_runtime_started_is_disposed_and_holds_its_database_file_no_longer()
    {
        var store = StorageKind.Fresh("sqlite");
        var host = new HostProbe();

        await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store,
            services: s => s.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(host.Capture).AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new FailingStage(ServiceLifecycleStage.ApplicationServices))));

        // Orleans' silo, disposed after the stop of its stages, waited for ever and the container disposed nothing after it.
        Assert.Throws<ObjectDisposedException>(() => host.Services.GetService<StoreEngine>());
        // The store's pool (shared by its grain state and reminders) is closed with it.
        Assert.Empty(OpenedFiles(store));
    }

    [Fact]
    public async Task A_cluster_silo_refused_for_settings_a_live_silo_does_not_share_is_disposed_and_the_next_start_takes_its_ports()
    {
        var store = StorageKind.Fresh("postgres");
        await using var live = await AlertsSilo.StartAsync(store, settings: new() { ["Alerts:DirectoryShards"] = "8" });
        var ports = new Dictionary<string, string?>
        {
            ["Alerts:Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var host = new HostProbe();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(store,
            settings: new(ports) { ["Alerts:DirectoryShards"] = "16" },
            services: s => s.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(host.Capture)));

        Assert.Contains("Alerts:DirectoryShards is 16 here but 8", refused.Message);
        Assert.Throws<ObjectDisposedException>(() => host.Services.GetService<StoreEngine>());
        // Its product connections are closed: the pool is gone, not merely idle until Npgsql prunes it minutes later.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await (await host.Engine.OpenAsync()).DisposeAsync());
        // A silo with the live one's settings starts on the same ports.
        await using var next = await AlertsSilo.StartAsync(store, settings: new(ports) { ["Alerts:DirectoryShards"] = "8" });
        Assert.Equal(ports["Alerts:Cluster:SiloPort"], next.SiloEndpoint.Split(':')[^1]);
    }

    [Fact]
    public async Task A_silo_that_failed_after_it_became_active_is_stopped_once()
    {
        // In the first stage, which a second stop of the whole lifecycle would stop again.
        var probe = new StageProbe(ServiceLifecycleStage.First);
        var failing = new FailingStage(ServiceLifecycleStage.Active);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"),
            services: s => s.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(probe).AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(failing)));

        Assert.Equal("refused in the active stage", refused.Message);
        Assert.Equal((1, 1), (probe.Started, probe.Stopped));
    }

    [Fact]
    public async Task A_silo_process_whose_start_fails_for_another_reason_prints_the_whole_exception_and_exits_1()
    {
        // Its HTTP address is one this machine does not have (TEST-NET-1, never assigned): the web server's start fails
        // after Orleans' silo started, with no refusal of ours.
        var (exitCode, output) = await SiloProcess.RunAsync(["--urls", "http://192.0.2.1:5080", .. SiloArguments(GatewaySilo.Fresh())]);

        Assert.True(exitCode == 1, $"exit {exitCode}: {output}");
        Assert.Contains("Cannot assign requested address", output, StringComparison.OrdinalIgnoreCase);
        // The whole exception with its stack, printed by the silo rather than by the runtime's crash handler.
        Assert.Contains("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Theory]
    [InlineData("Alerts:Cluster:SiloPort")]
    [InlineData("Alerts:Cluster:GatewayPort")]
    [InlineData("Urls")]
    public async Task A_silo_process_whose_port_is_taken_is_refused_naming_the_port_and_its_setting(string setting)
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var silo = GatewaySilo.Fresh();
        var arguments = SiloArguments(silo).ToList();
        var url = $"http://127.0.0.1:{(setting == "Urls" ? port : FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        arguments.AddRange(["--urls", url]);
        if (setting != "Urls") arguments.Add($"--{setting}={port}");

        var (exitCode, output) = await SiloProcess.RunAsync([.. arguments]);

        Assert.True(exitCode == 2, $"exit {exitCode}: {output}");
        // One line of ours on standard error (the host's own log of the failure goes to standard output above it).
        var refusal = Assert.Single(output.Split('\n'), line => line.StartsWith("the silo cannot ", StringComparison.Ordinal));
        Assert.Contains(setting, refusal);
        Assert.Contains(port, refusal);
        Assert.Contains("already in use by another silo or process", refusal);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Theory]
    [InlineData("Alerts:Cluster:SiloPort")]
    [InlineData("Alerts:Cluster:GatewayPort")]
    public async Task A_second_in_process_silo_on_a_port_the_first_holds_is_refused_naming_the_port_and_its_setting_and_the_first_serves_on(string setting)
    {
        await using var first = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        var port = (setting.EndsWith("SiloPort", StringComparison.Ordinal) ? first.Cluster.SiloPort : first.Cluster.GatewayPort).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"), settings: new() { [setting] = port }));

        Assert.StartsWith("the silo cannot listen on its ", refused.Message);
        Assert.Contains($"{port} ({setting})", refused.Message);
        Assert.Contains("already in use by another silo or process", refused.Message);
        // The second silo's failed start took nothing from the first: clients still reach it.
        await using var client = await first.ConnectClientAsync();
        Assert.Equal(0, (await client.GetGrain<IPushHubGrain>(0).GetStats()).Gateways);
    }

    [Fact]
    public async Task A_second_silo_process_on_the_ports_of_a_running_one_is_refused_naming_the_port_and_its_setting()
    {
        var running = GatewaySilo.Fresh();
        await using var first = await running.StartAsync();
        // Its own file, HTTP address and cluster id, and the first silo's ports (as two `dotnet run` in two folders).
        var arguments = SiloArguments(GatewaySilo.Fresh()).ToList();
        arguments.AddRange([$"--Alerts:Cluster:SiloPort={running.SiloPort}", $"--Alerts:Cluster:GatewayPort={running.GatewayPort}", "--urls", $"http://127.0.0.1:{FreePorts.Next()}"]);

        var (exitCode, output) = await SiloProcess.RunAsync([.. arguments]);

        // Orleans' listeners share their port with another that asks to: the second silo started and took some of the first's connections.
        Assert.True(exitCode == 2, $"exit {exitCode}: {output}");
        var refusal = Assert.Single(output.Split('\n'), line => line.StartsWith("the silo cannot ", StringComparison.Ordinal));
        Assert.Equal(PortInUse.Refusal("silo port", running.SiloPort, "Alerts:Cluster:SiloPort"), refusal);
        // The first serves on.
        await using var client = await running.AdminAsync();
        Assert.Equal(0, (await client.GetGrain<IPushHubGrain>(0).GetStats()).Gateways);
    }

    // Fresh silo and gateway ports (the settings give the file); a test sets the one it takes and the HTTP address.
    private static IEnumerable<string> SiloArguments(GatewaySilo silo) =>
        new Dictionary<string, string?>(silo.Settings)
        {
            ["Alerts:Cluster:SiloPort"] = silo.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Cluster:GatewayPort"] = silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Select(s => $"--{s.Key}={s.Value}");

    // The files of this process's open descriptors that are the store's database or its -wal and -shm files.
    private static List<string> OpenedFiles(TestStore store)
    {
        var database = new SqliteConnectionStringBuilder(store.ConnectionString).DataSource;
        var opened = new List<string>();
        foreach (var descriptor in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(database, StringComparison.Ordinal)) opened.Add(target);
            }
            catch (IOException)
            {
                // Closed meanwhile by another test.
            }
        }

        return opened;
    }

    // The silo's services as it was made (a participant is made with it), and its store engine.
    private sealed class HostProbe
    {
        public IServiceProvider Services { get; private set; } = null!;

        public StoreEngine Engine { get; private set; } = null!;

        public ILifecycleParticipant<ISiloLifecycle> Capture(IServiceProvider services)
        {
            Services = services;
            Engine = services.GetRequiredService<StoreEngine>();
            return new StageProbe(ServiceLifecycleStage.First);
        }
    }

    // A participant in one stage: counts its starts and stops.
    private sealed class StageProbe(int stage) : ILifecycleParticipant<ISiloLifecycle>
    {
        private int _started;
        private int _stopped;

        public int Started => Volatile.Read(ref _started);

        public int Stopped => Volatile.Read(ref _stopped);

        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(StageProbe), stage,
            _ =>
            {
                Interlocked.Increment(ref _started);
                return Task.CompletedTask;
            },
            _ =>
            {
                Interlocked.Increment(ref _stopped);
                return Task.CompletedTask;
            });
    }

    // A participant whose start fails in one stage.
    private sealed class FailingStage(int stage) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(FailingStage), stage, _ => throw new InvalidOperationException(stage == ServiceLifecycleStage.Active ? "refused in the active stage" : $"refused in stage {stage}"));
    }
}
