using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Alerts.Silo;

/// <summary>
/// Refuses a silo whose ports another silo or process holds, before it binds any, naming the port and its setting.
/// Orleans' listeners ask to share their port (SO_REUSEADDR, which .NET on Linux also makes SO_REUSEPORT), so a second
/// silo of the same user on the same silo or gateway port started as if alone, and the kernel handed each silo some of
/// the connections: clients and silos reached one or the other at random. The web server shares no port, but binds it
/// after Orleans has started (a cluster silo had joined its cluster by then): checked here as well.
/// </summary>
public sealed class PortCheck(IOptions<EndpointOptions> endpoints, IConfiguration configuration, IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        // Before the product's own checks (RuntimeInitialize - 2) and Orleans' listeners (RuntimeInitialize - 1): a refused
        // silo touches no database.
        lifecycle.Subscribe(nameof(PortCheck), ServiceLifecycleStage.RuntimeInitialize - 3, _ =>
        {
            Check();
            return Task.CompletedTask;
        });

    private void Check()
    {
        // Where Orleans' listeners bind (EndpointOptions' own rule): the listening endpoint if set, else the advertised address.
        var options = endpoints.Value;
        if (PortInUse.IsTaken(options.SiloListeningEndpoint ?? new IPEndPoint(options.AdvertisedIPAddress, options.SiloPort)))
            throw new InvalidOperationException(PortInUse.Refusal("silo port", options.SiloPort, ClusterSettings.Section + ":SiloPort"));
        if (PortInUse.IsTaken(options.GatewayListeningEndpoint ?? new IPEndPoint(options.AdvertisedIPAddress, options.GatewayPort)))
            throw new InvalidOperationException(PortInUse.Refusal("gateway port", options.GatewayPort, ClusterSettings.Section + ":GatewayPort"));

        // Only where this host runs a web server (the Silo's program; not a test's or the bench's in-process silo).
        if (services.GetService<IServer>() is null || configuration["urls"] is not { Length: > 0 } urls) return;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (HttpEndpoint(BindingAddress.Parse(url)) is { } endpoint && PortInUse.IsTaken(endpoint))
                throw new InvalidOperationException(PortInUse.HttpRefusal(urls));
        }
    }

    // The address the web server binds for a URL (as Kestrel reads it): "localhost" on loopback, "*" or "+" everywhere;
    // a host name or a Unix socket is left to the web server.
    private static IPEndPoint? HttpEndpoint(BindingAddress address)
    {
        if (address.IsUnixPipe) return null;
        if (address.Host is "*" or "+") return new IPEndPoint(IPAddress.Any, address.Port);
        if (address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return new IPEndPoint(IPAddress.Loopback, address.Port);
        return IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, address.Port) : null;
    }
}
