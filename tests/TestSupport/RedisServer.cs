using System.Diagnostics;
using System.Globalization;

namespace Alerts.TestSupport;

/// <summary>
/// A throwaway Redis server from Debian's redis-server on a free loopback port, its working folder in the temp
/// folder, with persistence off (<c>--save '' --appendonly no</c>): the comparison tests and harness use it as a
/// cache, never as a store. Stopped and its folder removed on dispose (or when the process exits).
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private int _disposed;

    private RedisServer(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port", as StackExchange.Redis takes it.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts a server and returns once it accepts connections.</summary>
    public static RedisServer Start()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server not found: install Debian's redis-server package (apt-get install redis-server)");
        var dir = Path.Combine(Path.GetTempPath(), "alerts-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = FreePorts.Next();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        var server = new RedisServer(process, dir, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        server.WaitUntilReady();
        return server;
    }

    public void Dispose()
    {
        // Called again when the process exits.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // redis-server logs "Ready to accept connections" once it listens; its log is drained afterwards so a full pipe never blocks it.
    private void WaitUntilReady()
    {
        _ = _process.StandardError.ReadToEndAsync();
        var log = new List<string>();
        var reading = Task.Run(() =>
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                log.Add(line);
                if (line.Contains("Ready to accept connections", StringComparison.Ordinal)) return true;
            }

            return false;
        });
        if (!reading.Wait(TimeSpan.FromSeconds(30)) || !reading.Result)
        {
            Dispose();
            throw new InvalidOperationException($"redis-server did not become ready on {Endpoint}: {string.Join('\n', log.TakeLast(20))}");
        }

        _ = _process.StandardOutput.ReadToEndAsync();
    }
}
