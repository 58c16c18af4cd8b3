using Microsoft.Extensions.Hosting;

namespace Alerts.Client;

/// <summary>
/// The lifetime of the client's own host: it starts and stops only when its owner connects and disposes it. The default
/// console lifetime would take SIGINT, SIGTERM and SIGQUIT from the process that embeds the client and stop the
/// connection on them, under a gateway that is still draining its deliveries or a console handling Ctrl-C itself.
/// </summary>
internal sealed class ClientHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
