using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Alerts.Tests;

/// <summary>A client without a credential of its own: it sends whatever token a test puts in the request context (one issued elsewhere, say).</summary>
public sealed class TokenClient : IAsyncDisposable
{
    private readonly IHost _host;

    private TokenClient(IHost host) => _host = host;

    /// <summary>The cluster as this client sees it.</summary>
    public IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects to the silo's gateway; its calls carry no token unless one is in the request context.</summary>
    public static async Task<TokenClient> ConnectAsync(AlertsSilo silo)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, silo.Cluster.GatewayPort))
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = silo.Cluster.ClusterId;
                o.ServiceId = silo.Cluster.ServiceId;
            }));
        var host = builder.Build();
        await host.StartAsync();
        return new TokenClient(host);
    }

    /// <summary>Calls <paramref name="call"/> with <paramref name="token"/> as this client's access token.</summary>
    public async Task<T> WithTokenAsync<T>(string token, Func<IClusterClient, Task<T>> call)
    {
        RequestContext.Set(Alerts.GrainInterfaces.AccessTokenHeader.Key, token);
        try
        {
            return await call(Cluster);
        }
        finally
        {
            RequestContext.Remove(Alerts.GrainInterfaces.AccessTokenHeader.Key);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
