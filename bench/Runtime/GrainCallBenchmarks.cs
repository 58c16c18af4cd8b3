using Alerts.Runtime;
using BenchmarkDotNet.Attributes;

namespace Alerts.Bench.Runtime;

/// <summary>Grain call throughput: a direct method call (baseline), local calls to one grain and to many in parallel, remote calls over the WebSocket.</summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    private const int Calls = 1_000;
    private BenchSilo _silo = null!;
    private IBenchGrain _plain = null!;
    private IBenchGrain _local = null!;
    private IBenchGrain[] _many = null!;
    private IBenchGrain _remote = null!;
    private IBenchGrain[] _remoteMany = null!;

    [GlobalSetup]
    public void Setup()
    {
        _silo = BenchSilo.StartAsync().GetAwaiter().GetResult();
        _plain = new PlainCounter();
        _local = _silo.Runtime.GetGrain<IBenchGrain>(0);
        _many = Enumerable.Range(1, Calls).Select(i => _silo.Runtime.GetGrain<IBenchGrain>(i)).ToArray();
        _remote = _silo.Client.GetGrain<IBenchGrain>(0);
        _remoteMany = Enumerable.Range(1, Calls).Select(i => _silo.Client.GetGrain<IBenchGrain>(i)).ToArray();
        Task.WhenAll(_many.Select(g => g.Add(0))).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();

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
