using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Alerts.Client;

/// <summary>
/// A connected Orleans client for Alerts: finds the silos (static gateways or the membership table),
/// signs in with its credential, and attaches the access token to every call.
/// </summary>
public sealed class AlertsClient : IAsyncDisposable
{
    private readonly IHost _host;

    private AlertsClient(IHost host)
    {
        _host = host;
        Cluster = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The Orleans client: <c>GetGrain</c>, <c>CreateObjectReference</c>.</summary>
    public IClusterClient Cluster { get; }

    /// <summary>The client's own services (tests).</summary>
    internal IServiceProvider Services => _host.Services;

    /// <summary>The grain of type <typeparamref name="T"/> with an integer key.</summary>
    public T GetGrain<T>(long key) where T : IGrainWithIntegerKey => Cluster.GetGrain<T>(key);

    /// <summary>The grain of type <typeparamref name="T"/> with a string key.</summary>
    public T GetGrain<T>(string key) where T : IGrainWithStringKey => Cluster.GetGrain<T>(key);

    /// <summary>A reference to a local object the silos can call back (an observer); keep <paramref name="observer"/> alive.</summary>
    public T CreateObjectReference<T>(IGrainObserver observer) where T : IGrainObserver => Cluster.CreateObjectReference<T>(observer);

    /// <summary>Connects and signs in; throws <see cref="InvalidOperationException"/> naming the problem when the cluster cannot be reached or the credential is refused.</summary>
    /// <param name="options">Where the cluster is and the credential.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <param name="logging">Adds log providers (none by default).</param>
    /// <param name="configure">
    /// Runs last on the Orleans client builder, for what a caller adds on top of the connection: e.g.
    /// <c>AddClusterConnectionStatusObserver</c> to hear when the connection to the cluster is lost and
    /// back (the mobile-gateway library re-subscribes with it).
    /// </param>
    public static async Task<AlertsClient> ConnectAsync(AlertsClientOptions options, CancellationToken cancellationToken = default, Action<ILoggingBuilder>? logging = null, Action<IClientBuilder>? configure = null)
    {
        if (!options.Credential.Contains(':')) throw new ArgumentException("Credential must be \"name:secret\"", nameof(options));
        if (options.ConnectAttempts < 1)
            throw new ArgumentException($"ConnectAttempts is {options.ConnectAttempts}; it counts tries of the first connection, so at least 1", nameof(options));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The process's signals belong to whoever embeds the client (see ClientHostLifetime).
        builder.Services.AddSingleton<IHostLifetime, ClientHostLifetime>();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            if (options.MembershipConnectionString is { } membership)
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = membership;
                });
            }
            else
            {
                client.UseStaticClustering(options.Gateways.Select(ParseEndpoint).ToArray());
            }

            client.UseConnectionRetryFilter(new ConnectRetry(options.ConnectAttempts).ShouldRetryAsync);
            client.AddAlertsCredential(options.Credential);
            configure?.Invoke(client);
        });

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            var client = new AlertsClient(host);
            await host.Services.GetRequiredService<AccessTokenSource>().GetToken(cancellationToken);
            return client;
        }
        catch (Exception e)
        {
            // Stopped, not only disposed: a client that did connect (a refused credential fails after that) would keep
            // its gateway connections and background loops running for as long as the process lives.
            await StopQuietlyAsync(host);
            host.Dispose();
            if (e is OperationCanceledException) throw;
            var where = options.MembershipConnectionString is null ? string.Join(", ", options.Gateways) : "the membership table";
            throw new InvalidOperationException($"Could not connect to cluster {options.ClusterId} through {where}: {e.Message}", e);
        }
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(stopping.Token);
        }
        catch (Exception)
        {
            // What half started may fail to stop as well; the connect's own error is the one to report.
        }
    }

    private static IPEndPoint ParseEndpoint(string text) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0
            ? endpoint
            : throw new ArgumentException($"gateway \"{text}\" is not an IP address and port (e.g. 127.0.0.1:30000)");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>Retries the first connection with a growing pause (0.5 s, 1 s, 2 s … up to <see cref="LongestPause"/>), then gives up.</summary>
    internal sealed class ConnectRetry(int attempts)
    {
        /// <summary>
        /// The longest pause between tries: doubling without end, a gateway told to keep trying at start-up would wait
        /// hours to notice the cluster back (and past 26 tries the pause overflows what a timer takes).
        /// </summary>
        public static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

        private int _tried;

        /// <summary>The pause after the <paramref name="failed"/>th failed try.</summary>
        public static TimeSpan PauseAfter(int failed) =>
            failed >= 7 ? LongestPause : TimeSpan.FromMilliseconds(Math.Min(500 << (failed - 1), LongestPause.TotalMilliseconds));

        public async Task<bool> ShouldRetryAsync(Exception exception, CancellationToken cancellationToken)
        {
            if (++_tried >= attempts) return false;
            await Task.Delay(PauseAfter(_tried), cancellationToken);
            return true;
        }
    }
}
