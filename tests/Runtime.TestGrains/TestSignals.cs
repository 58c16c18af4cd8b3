using System.Collections.Concurrent;

namespace Alerts.Runtime.Tests;

/// <summary>Named signals that test grains complete and tests await: no sleeping, no polling.</summary>
public static class TestSignals
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<string>> Signals = new();

    public static TaskCompletionSource<string> For(string name) =>
        Signals.GetOrAdd(name, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
}
