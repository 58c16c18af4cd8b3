namespace Alerts.Runtime.Tests;

/// <summary>A structured argument that must survive the wire.</summary>
public sealed record EchoPayload(string Text, List<long> Numbers, DateTime At, double? Maybe);

/// <summary>Echoes arguments, throws on request, and waits for cancellation: the remote client's test surface.</summary>
public interface IEchoGrain : IGrainWithStringKey
{
    Task<EchoPayload> Echo(EchoPayload payload);

    ValueTask<long> Sum(long a, long b);

    Task Throw(string message);

    Task<string> WaitForCancellation(CancellationToken cancellationToken);

    Task<int> Count(int[] values);
}

/// <summary>See <see cref="IEchoGrain"/>.</summary>
[Reentrant]
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<EchoPayload> Echo(EchoPayload payload) => Task.FromResult(payload);

    public ValueTask<long> Sum(long a, long b) => ValueTask.FromResult(a + b);

    public Task Throw(string message) => throw new ArgumentException(message, "payload");

    public async Task<string> WaitForCancellation(CancellationToken cancellationToken)
    {
        TestSignals.For("waiting:" + GetPrimaryKeyString()).TrySetResult("");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return "not cancelled";
    }

    public Task<int> Count(int[] values) => Task.FromResult(values.Length);
}

/// <summary>Only admins may call it; auditors may also audit.</summary>
[RequiresRole("admin")]
public interface ISecretGrain : IGrainWithStringKey
{
    Task<string> Read();

    [RequiresRole("admin", "auditor")]
    Task<string> Audit();
}

/// <summary>See <see cref="ISecretGrain"/>.</summary>
public sealed class SecretGrain : Grain, ISecretGrain
{
    public Task<string> Read() => Task.FromResult("secret");

    public Task<string> Audit() => Task.FromResult("audited");
}
