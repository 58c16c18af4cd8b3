using System.Diagnostics;
using System.Globalization;

namespace Alerts.Bench.Product;

/// <summary>A silo in a child process: the Silo app as built by `dotnet build Silo -c Release`, run with `dotnet Alerts.Silo.dll`.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        Pump(process.StandardOutput);
        Pump(process.StandardError);
    }

    /// <summary>A name for messages ("silo-2").</summary>
    public string Name { get; }

    /// <summary>The line it printed once serving ("listening … gateway … silo …").</summary>
    public string Listening { get; private set; } = "";

    /// <summary>Everything it printed so far.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    /// <summary>The Silo app's folder: Silo/bin/Release/net10.0 of the repository this benchmark was built in.</summary>
    public static string SiloFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Alerts.sln"))) continue;
            var folder = Path.Combine(dir.FullName, "Silo", "bin", "Release", "net10.0");
            return File.Exists(Path.Combine(folder, "Alerts.Silo.dll"))
                ? folder
                : throw new InvalidOperationException($"{folder}/Alerts.Silo.dll is missing: run `dotnet build Silo -c Release` first.");
        }

        throw new InvalidOperationException("The repository (Alerts.sln) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs the Silo app to its end (e.g. `migrate`); throws with its output when it fails.</summary>
    public static async Task RunAsync(IEnumerable<string> args)
    {
        using var process = Process.Start(Info(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0) throw new InvalidOperationException($"Alerts.Silo.dll {string.Join(' ', args.Take(1))} failed ({process.ExitCode}): {await stdout}{await stderr}");
    }

    /// <summary>Starts a silo with <paramref name="args"/> and waits until it prints "listening".</summary>
    public static async Task<SiloProcess> StartAsync(string name, IEnumerable<string> args)
    {
        var silo = new SiloProcess(Process.Start(Info(args))!, name);
        try
        {
            silo.Listening = await silo._listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    private static ProcessStartInfo Info(IEnumerable<string> args)
    {
        var folder = SiloFolder();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        info.ArgumentList.Add(Path.Combine(folder, "Alerts.Silo.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return info;
    }

    private void Pump(StreamReader reader) => _ = Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines) _lines.Add(line);
            if (line.StartsWith("listening ", StringComparison.Ordinal)) _listening.TrySetResult(line);
        }

        _listening.TrySetException(new InvalidOperationException($"{Name} exited before it served; it printed:\n{string.Join('\n', Output.TakeLast(40))}"));
    });

    /// <summary>SIGTERM, as an operator stops a silo: the host shuts down gracefully (killed after a minute).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
