using Alerts.Client;
using Alerts.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alerts.Tests;

/// <summary>The client library leaves the process's signals to the application that embeds it.</summary>
public sealed class ClientHostLifetimeTests
{
    [Fact]
    public async Task A_connected_client_takes_no_signal_handlers_from_its_process()
    {
        await using var silo = await AlertsSilo.StartAsync(StorageKind.Fresh("sqlite"));
        await using var client = await silo.ConnectClientAsync();

        // The default (ConsoleLifetime) would stop the connection on SIGTERM or Ctrl-C, under a gateway still draining.
        Assert.IsType<ClientHostLifetime>(client.Services.GetRequiredService<IHostLifetime>());
        Assert.Equal(GrainInterfaces.CaseStatus.None, (await client.GetGrain<GrainInterfaces.ICaseGrain>("none").GetProgress()).Status);
    }
}
