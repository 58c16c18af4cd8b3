using System.Net;
using System.Net.Sockets;
using Alerts.Cli;
using Alerts.TestSupport;

namespace Alerts.Tests;

/// <summary><c>case watch --timeout</c> bounds the whole watch, connecting included, as a script waiting for exit code 7 expects.</summary>
public sealed class ConsoleWatchTimeoutTests
{
    [Fact]
    public async Task A_gateway_that_accepts_but_never_answers_ends_the_watch_at_its_timeout_with_exit_7()
    {
        // Accepts connections and says nothing: the client's own connect gives up only after its attempts (about 12 s).
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) held.Add(await silent.AcceptSocketAsync(stop.Token));
        });

        var gateway = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var run = await ConsoleProcess.RunAsync(Path.GetTempPath(), new Dictionary<string, string> { ["ALERTS_CREDENTIAL"] = "nobody:nothing" },
            "--gateway", gateway, "case", "watch", "sz-1", "--timeout", "1");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
        foreach (var socket in held) socket.Dispose();

        Assert.True(run.ExitCode == ExitCodes.TimedOut, run.ToString());
        Assert.Equal("alerts: case sz-1 did not settle within 1 s", run.StandardError.Trim());
    }
}
