using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Alerts.Silo;

/// <summary>
/// A port the silo listens on that is taken (another silo, in this process or another, or a process left running): one
/// line naming the port and the setting that chose it, where Orleans says only "Address already in use" (or, sharing
/// the port, nothing at all: <see cref="PortCheck"/>) and the web server gives a stack trace.
/// </summary>
public static class PortInUse
{
    private const string Tail = ": it is already in use by another silo or process on this machine (a second silo needs other ports)";

    /// <summary>Whether <paramref name="failure"/> is a listener finding its address taken.</summary>
    public static bool IsCause(Exception failure) =>
        CausesOf(failure).Any(e => e is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse });

    /// <summary>
    /// The refusal for a start that <see cref="IsCause"/> says failed on a taken port; called once the silo's own listeners
    /// have stopped, since Orleans' bind error names no endpoint and the taken port is found by trying each.
    /// </summary>
    public static string Describe(Exception failure, ClusterSettings settings, string? urls)
    {
        // The web server's error names the address it could not bind ("Failed to bind to address http://…").
        if (CausesOf(failure).OfType<IOException>().FirstOrDefault(e => e.InnerException is AddressInUseException) is { } web)
            return $"{HttpRefusal(urls)} ({web.Message.TrimEnd('.')})";
        // Every address of the machine: a port another process holds on any of them refuses Orleans' own bind too.
        if (IsTaken(new IPEndPoint(IPAddress.Any, settings.SiloPort))) return Refusal("silo port", settings.SiloPort, ClusterSettings.Section + ":SiloPort");
        if (IsTaken(new IPEndPoint(IPAddress.Any, settings.GatewayPort))) return Refusal("gateway port", settings.GatewayPort, ClusterSettings.Section + ":GatewayPort");
        // Freed meanwhile: all three, rather than a guess.
        return $"the silo cannot listen on one of its ports (silo {settings.SiloPort}: {ClusterSettings.Section}:SiloPort, gateway {settings.GatewayPort}: {ClusterSettings.Section}:GatewayPort, HTTP {urls}: Urls){Tail}";
    }

    /// <summary>The refusal for a taken Orleans port: "the silo cannot listen on its <paramref name="what"/> …", naming <paramref name="setting"/>.</summary>
    public static string Refusal(string what, int port, string setting) => $"the silo cannot listen on its {what} {port} ({setting}){Tail}";

    /// <summary>The refusal for a taken HTTP address.</summary>
    public static string HttpRefusal(string? urls) => $"the silo cannot serve HTTP at {urls} (Urls, --urls){Tail}";

    /// <summary>
    /// Whether a listener holds <paramref name="endpoint"/>'s port on its address (any address for <see cref="IPAddress.Any"/>).
    /// The probe does not ask to share the port, so a listener that allows sharing (as Orleans' do) still counts.
    /// </summary>
    public static bool IsTaken(IPEndPoint endpoint)
    {
        try
        {
            using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(endpoint);
            return false;
        }
        catch (SocketException e)
        {
            // Another failure (an address this machine lacks, a port below 1024) is for the listener's own bind to report.
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse;
        }
    }

    private static IEnumerable<Exception> CausesOf(Exception failure) =>
        failure is AggregateException aggregate
            ? aggregate.InnerExceptions.SelectMany(CausesOf)
            : failure.InnerException is { } inner ? [failure, .. CausesOf(inner)] : [failure];
}
