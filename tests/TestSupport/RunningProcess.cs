using System.Diagnostics;
using System.Globalization;

namespace Alerts.TestSupport;

/// <summary>A child process whose output lines are kept and can be waited for; stopped with the signal a test names.</summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _standardOutput = [];
    private readonly List<string> _standardError = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly Task _pumped;
    private int _disposed;

    private RunningProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _pumped = Task.WhenAll(Pump(process.StandardOutput, _standardOutput), Pump(process.StandardError, _standardError));
    }

    /// <summary>A name for messages ("silo-2", "simulator").</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Everything it printed so far, standard output and error interleaved.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    /// <summary>What it printed on standard output so far.</summary>
    public IReadOnlyList<string> StandardOutput
    {
        get { lock (_lines) return _standardOutput.ToList(); }
    }

    /// <summary>What it printed on standard error so far.</summary>
    public IReadOnlyList<string> StandardError
    {
        get { lock (_lines) return _standardError.ToList(); }
    }

    /// <summary>Starts <paramref name="info"/> with both streams redirected.</summary>
    public static RunningProcess Start(ProcessStartInfo info, string name)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return new RunningProcess(Process.Start(info)!, name);
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
                ? throw new TimeoutException($"{Name} did not print the expected line within {timeout}; it printed:\n{Tail()}")
                : t.Result, TaskScheduler.Default);
        }
    }

    /// <summary>Waits for the process to end and for its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}; it printed:\n{Tail()}");
        }

        await _pumped;
        return _process.ExitCode;
    }

    /// <summary>Sends a signal by name (INT for Ctrl-C, TERM for a graceful stop).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>The last lines it printed, for failure messages.</summary>
    public string Tail(int lines = 40) => string.Join('\n', Output.TakeLast(lines));

    private Task Pump(StreamReader reader, List<string> alsoInto) => Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
                alsoInto.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    waiter.Seen.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }
        }

        lock (_lines)
            foreach (var waiter in _waiters) waiter.Seen.TrySetException(new InvalidOperationException($"{Name} closed its output; it printed:\n{string.Join('\n', _lines.TakeLast(40))}"));
    });

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a test that stops a process and then fails must report its own failure, not this one.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
