using Alerts.Runtime;

namespace Alerts.Client;

/// <summary>Sends a reference's calls over the client's connection to the grain with an interface and key.</summary>
internal sealed class RemoteGrainSink(ClusterClient client, string interfaceName, string key) : ICallSink
{
    public Task<object?> InvokeAsync(GrainMethod method, object?[] args) => client.InvokeAsync(interfaceName, key, method, args);

    public override string ToString() => $"{interfaceName}/{key}";
}
