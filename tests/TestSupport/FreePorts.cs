using System.Net;
using System.Net.Sockets;

namespace Alerts.TestSupport;

/// <summary>Loopback ports nobody listens on right now, never the same one twice in this process.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port the operating system calls free and this process has not handed out yet.</summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Handed)
                if (Handed.Add(port)) return port;
        }
    }

    /// <summary>True when nothing listens on <paramref name="port"/> (a listener can take it).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
