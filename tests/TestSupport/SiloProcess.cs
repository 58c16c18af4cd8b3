using System.Diagnostics;

namespace Alerts.TestSupport;

/// <summary>A silo in a real child process (the Silo app built beside the tests), killed or stopped as an operator would.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly RunningProcess _process;

    private SiloProcess(RunningProcess process, int httpPort, int gatewayPort)
    {
        _process = process;
        HttpPort = httpPort;
        GatewayPort = gatewayPort;
    }

    /// <summary>A name for messages ("silo-2").</summary>
    public string Name => _process.Name;

    /// <summary>The HTTP port (health, dashboard).</summary>
    public int HttpPort { get; }

    /// <summary>The port clients connect to.</summary>
    public int GatewayPort { get; }

    /// <summary>The Orleans silo address it printed when it started.</summary>
    public string SiloAddress { get; private set; } = "";

    /// <summary>Everything it printed so far.</summary>
    public IReadOnlyList<string> Output => _process.Output;

    /// <summary>Starts the app with the given settings on fresh ports and waits until it prints "listening".</summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string name = "silo", int? gatewayPort = null, int? siloPort = null)
    {
        var httpPort = FreePorts.Next();
        var gateway = gatewayPort ?? FreePorts.Next();
        var info = Info(["--urls", $"http://127.0.0.1:{httpPort}",
            $"--Alerts:Cluster:GatewayPort={gateway}", $"--Alerts:Cluster:SiloPort={siloPort ?? FreePorts.Next()}",
            .. settings.Select(s => $"--{s.Key}={s.Value}")]);
        var silo = new SiloProcess(RunningProcess.Start(info, name), httpPort, gateway);
        var listening = await silo.WaitForLineAsync(l => l.StartsWith("listening ", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        silo.SiloAddress = listening[(listening.IndexOf(" silo ", StringComparison.Ordinal) + 6)..].Trim();
        return silo;
    }

    /// <summary>Runs the Silo app with <paramref name="args"/> to its end (e.g. `migrate`); returns the exit code and the output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var process = RunningProcess.Start(Info(args), "silo command");
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exitCode, string.Join('\n', process.Output));
    }

    private static ProcessStartInfo Info(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Alerts.Silo.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return info;
    }

    /// <summary>The first line (already printed or still to come) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) => _process.WaitForLineAsync(match, timeout);

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM: the host shuts down gracefully.</summary>
    public async Task TerminateAsync()
    {
        await _process.SignalAsync("TERM");
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
