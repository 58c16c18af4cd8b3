namespace Alerts.Runtime;

/// <summary>Sends a reference's calls to the grain's activation in this silo.</summary>
internal sealed class LocalGrainSink(GrainRuntime runtime, GrainId id) : ICallSink
{
    public GrainId Id { get; } = id;

    public Task<object?> InvokeAsync(GrainMethod method, object?[] args) => runtime.InvokeAsync(Id, method, args);

    public override string ToString() => Id.ToString();
}
