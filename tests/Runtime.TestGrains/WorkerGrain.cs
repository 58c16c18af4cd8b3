namespace Alerts.Runtime.Tests;

/// <summary>A stateless worker that holds a call until a signal, to make activations pile up.</summary>
public interface IWorkerGrain : IGrainWithIntegerKey
{
    Task<int> Hold(string signal);
}

/// <summary>See <see cref="IWorkerGrain"/>.</summary>
[StatelessWorker(3)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Entered = new();
    private static int _instances;
    private readonly int _instance = Interlocked.Increment(ref _instances);

    public async Task<int> Hold(string signal)
    {
        var count = Entered.AddOrUpdate(signal, 1, (_, n) => n + 1);
        TestSignals.For(signal + ":entered:" + count).TrySetResult("");
        await TestSignals.For(signal).Task;
        return _instance;
    }
}
