using Alerts.Client;
using BenchmarkDotNet.Attributes;

namespace Alerts.Bench.Orleans;

/// <summary>
/// Orleans grain call throughput: a direct method call (baseline); local calls from inside the silo (its
/// grain factory) to one grain and to many in parallel; remote calls from an external client
/// (<see cref="AlertsClient"/>, signed in, its token on every call) over the gateway's TCP connection.
/// </summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    private const int Calls = 1_000;
    private BenchDatabase _database = null!;
    private BenchSilo _silo = null!;
    private AlertsClient _client = null!;
    private IBenchGrain _plain = null!;
    private IBenchGrain _local = null!;
    private IBenchGrain[] _many = null!;
    private IBenchGrain _remote = null!;
    private IBenchGrain[] _remoteMany = null!;

    [GlobalSetup]
    public void Setup()
    {
        _database = BenchDatabase.Sqlite();
        _silo = BenchSilo.StartAsync(_database, BenchSettings.NewClusterId()).GetAwaiter().GetResult();
        _client = _silo.ConnectClientAsync().GetAwaiter().GetResult();
        _plain = new PlainCounter();
        _local = _silo.Grains.GetGrain<IBenchGrain>(0);
        _many = Enumerable.Range(1, Calls).Select(i => _silo.Grains.GetGrain<IBenchGrain>(i)).ToArray();
        _remote = _client.GetGrain<IBenchGrain>(0);
        _remoteMany = Enumerable.Range(1, Calls).Select(i => _client.GetGrain<IBenchGrain>(i)).ToArray();
        // Activate every grain (and warm both paths) before the first measured call.
        Task.WhenAll(_many.Select(g => g.Add(0)).Append(_local.Add(0)).Append(_remote.Add(0))).GetAwaiter().GetResult();
        Task.WhenAll(_remoteMany.Select(g => g.Add(0))).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _database.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public async Task DirectCall()
    {
        for (var i = 0; i < Calls; i++) await _plain.Add(1);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task LocalOneGrainSequential()
    {
        for (var i = 0; i < Calls; i++) await _local.Add(1);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task LocalManyGrainsParallel() => Task.WhenAll(_many.Select(g => g.Add(1)));

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task RemoteOneGrainSequential()
    {
        for (var i = 0; i < Calls; i++) await _remote.Add(1);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task RemoteManyGrainsParallel() => Task.WhenAll(_remoteMany.Select(g => g.Add(1)));
}
