using Microsoft.Extensions.Hosting;

namespace Alerts.Silo;

/// <summary>Starts a host built by <see cref="SiloHosting.UseAlertsSilo"/>, the Silo's program and in-process hosts (tests, the bench) alike.</summary>
public static class SiloStart
{
    /// <summary>How long what started may take to stop, and the host to be disposed, after a start that failed.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Starts <paramref name="host"/>. A start that fails is stopped and disposed first (<see cref="FailedStart"/>), then
    /// its error is thrown; one that found a port taken (another silo's, in this process or another) is thrown as an
    /// <see cref="InvalidOperationException"/> naming the port and the setting that chose it, where Orleans' own error names neither.
    /// </summary>
    public static async Task StartAlertsSiloAsync(this IHost host)
    {
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            var settings = host.Services.GetRequiredService<ClusterSettings>();
            var urls = host.Services.GetRequiredService<IConfiguration>()["urls"];
            // Stopped first: the ports this silo did bind are free again, so one found taken is another's.
            await FailedStart.StopAsync(host, StopTimeout);
            if (PortInUse.IsCause(e)) throw new InvalidOperationException(PortInUse.Describe(e, settings, urls), e);
            throw;
        }
    }
}
