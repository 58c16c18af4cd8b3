using System.Diagnostics;
using System.Globalization;

namespace Alerts.Tests;

/// <summary>A real pseudo-terminal: a detached tmux session of a given size whose screen a test can read and type into.</summary>
public sealed class Terminal : IAsyncDisposable
{
    private readonly string _socket = "alerts-" + Guid.NewGuid().ToString("N")[..8];

    private Terminal()
    {
    }

    /// <summary>Runs <paramref name="command"/> in a new 100×30 session; the pane stays after it exits and shows "EXITED code".</summary>
    public static async Task<Terminal> StartAsync(string command, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var terminal = new Terminal();
        var exports = string.Concat(environment.Select(e => $"export {e.Key}='{e.Value.Replace("'", "'\\''", StringComparison.Ordinal)}'; "));
        await terminal.TmuxAsync("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", "-c", workingDirectory,
            $"{exports}{command}; echo EXITED $?; sleep 600");
        return terminal;
    }

    /// <summary>What the screen shows now.</summary>
    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-t", "t");

    /// <summary>Reads the screen until it shows <paramref name="text"/>, or fails with the last screen after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var screen = await ScreenAsync();
            if (screen.Contains(text, StringComparison.Ordinal)) return screen;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"the terminal did not show \"{text}\" within {timeout}; it shows:\n{screen}");
        }
    }

    /// <summary>Types keys (tmux key names, e.g. C-c).</summary>
    public Task SendKeysAsync(string keys) => TmuxAsync("send-keys", "-t", "t", keys);

    private async Task<string> TmuxAsync(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {error}");
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
