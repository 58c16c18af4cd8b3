using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Alerts.Silo;

/// <summary>
/// A start that failed because a port the silo listens on is taken (another silo, or a process left running): one line
/// naming the port and the setting that chose it, where Orleans says only "Address already in use" and the web server
/// gives a stack trace.
/// </summary>
public static class PortInUse
{
    /// <summary>Whether <paramref name="failure"/> is a listener finding its address taken.</summary>
    public static bool IsCause(Exception failure) =>
        CausesOf(failure).Any(e => e is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse });

    /// <summary>
    /// The refusal for a start that <see cref="IsCause"/> says failed on a taken port; called once the silo's own listeners
    /// have stopped, since Orleans' bind error names no endpoint and the taken port is found by trying each.
    /// </summary>
    public static string Describe(Exception failure, ClusterSettings settings, string? urls)
    {
        const string Tail = ": it is already in use by another process (a second silo on this machine needs other ports)";
        // The web server's error names the address it could not bind ("Failed to bind to address http://…").
        if (CausesOf(failure).OfType<IOException>().FirstOrDefault(e => e.InnerException is AddressInUseException) is { } web)
            return $"the silo cannot serve HTTP at {urls} (Urls, --urls){Tail} ({web.Message.TrimEnd('.')})";
        if (IsTaken(settings.SiloPort)) return $"the silo cannot listen on its silo port {settings.SiloPort} ({ClusterSettings.Section}:SiloPort){Tail}";
        if (IsTaken(settings.GatewayPort)) return $"the silo cannot listen on its gateway port {settings.GatewayPort} ({ClusterSettings.Section}:GatewayPort){Tail}";
        // Freed meanwhile: all three, rather than a guess.
        return $"the silo cannot listen on one of its ports (silo {settings.SiloPort}: {ClusterSettings.Section}:SiloPort, gateway {settings.GatewayPort}: {ClusterSettings.Section}:GatewayPort, HTTP {urls}: Urls){Tail}";
    }

    // Every address of the machine: a port another process holds on any of them refuses Orleans' own bind too.
    private static bool IsTaken(int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Any, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static IEnumerable<Exception> CausesOf(Exception failure) =>
        failure is AggregateException aggregate
            ? aggregate.InnerExceptions.SelectMany(CausesOf)
            : failure.InnerException is { } inner ? [failure, .. CausesOf(inner)] : [failure];
}
