using System.Diagnostics;
using System.Globalization;

namespace Alerts.TestSupport;

/// <summary>A silo in a real child process (the Silo app built beside the tests), killed or stopped as an operator would.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    private SiloProcess(Process process, int httpPort, int gatewayPort, string name)
    {
        _process = process;
        HttpPort = httpPort;
        GatewayPort = gatewayPort;
        Name = name;
    }

    /// <summary>A name for messages ("silo-2").</summary>
    public string Name { get; }

    /// <summary>The HTTP port (health, dashboard).</summary>
    public int HttpPort { get; }

    /// <summary>The port clients connect to.</summary>
    public int GatewayPort { get; }

    /// <summary>The Orleans silo address it printed when it started.</summary>
    public string SiloAddress { get; private set; } = "";

    /// <summary>Everything it printed so far.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    /// <summary>Starts the app with the given settings on fresh ports and waits until it prints "listening".</summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string name = "silo", int? gatewayPort = null, int? siloPort = null)
    {
        var httpPort = FreePorts.Next();
        var gateway = gatewayPort ?? FreePorts.Next();
        var info = Info(["--urls", $"http://127.0.0.1:{httpPort}",
            $"--Alerts:Cluster:GatewayPort={gateway}", $"--Alerts:Cluster:SiloPort={siloPort ?? FreePorts.Next()}",
            .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        var silo = new SiloProcess(Process.Start(info)!, httpPort, gateway, name);
        silo.Pump(silo._process.StandardOutput);
        silo.Pump(silo._process.StandardError);
        var listening = await silo.WaitForLineAsync(l => l.StartsWith("listening ", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        silo.SiloAddress = listening[(listening.IndexOf(" silo ", StringComparison.Ordinal) + 6)..].Trim();
        return silo;
    }

    /// <summary>Runs the Silo app with <paramref name="args"/> to its end (e.g. `migrate`); returns the exit code and the output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Info(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo Info(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Alerts.Silo.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return info;
    }

    /// <summary>The first line (already printed or still to come) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        lock (_lines)
        {
            if (_lines.FirstOrDefault(match) is { } seen) return Task.FromResult(seen);
            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task.WaitAsync(timeout).ContinueWith(t => t.IsFaulted && t.Exception!.InnerException is TimeoutException
                ? throw new TimeoutException($"{Name} did not print the expected line within {timeout}; it printed:\n{string.Join('\n', Output.TakeLast(40))}")
                : t.Result, TaskScheduler.Default);
        }
    }

    private void Pump(StreamReader reader) => _ = Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    waiter.Seen.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }
        }

        lock (_lines)
            foreach (var waiter in _waiters) waiter.Seen.TrySetException(new InvalidOperationException($"{Name} exited; it printed:\n{string.Join('\n', _lines.TakeLast(40))}"));
    });

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the host shuts down gracefully.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
