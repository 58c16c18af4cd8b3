using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Alerts.Runtime.Tests;

/// <summary>A silo in a real child process (an app built beside the tests), on a fixed loopback port so it can be restarted in place.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the app with the given settings and waits until it prints "listening".</summary>
    public static async Task<SiloProcess> StartAsync(int port, IReadOnlyDictionary<string, string?> settings, string app = "Alerts.Runtime.TestHost")
    {
        var dll = Path.Combine(AppContext.BaseDirectory, app + ".dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in settings) info.ArgumentList.Add($"--{key}={value}");
        var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null) throw new InvalidOperationException("The silo process exited before listening: " + await errors);
            if (line.StartsWith("listening ", StringComparison.Ordinal)) break;
        }

        _ = process.StandardOutput.ReadToEndAsync();
        return new SiloProcess(process, new Uri($"ws://127.0.0.1:{port}/grains"));
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the host shuts down gracefully.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
