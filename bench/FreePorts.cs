using System.Net;
using System.Net.Sockets;

namespace Alerts.Bench;

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
}
