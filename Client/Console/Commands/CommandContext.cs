using System.CommandLine;
using Alerts.Client;
using Alerts.GrainInterfaces;
using Spectre.Console;

namespace Alerts.Cli;

/// <summary>What one command invocation works with: its parse result, output, cancellation, and the way to the cluster.</summary>
public sealed class CommandContext(ParseResult parse, ConnectionOptions connection, CancellationToken cancellationToken)
{
    /// <summary>The parsed command line.</summary>
    public ParseResult Parse { get; } = parse;

    /// <summary>Cancelled by Ctrl-C (SIGINT) or SIGTERM.</summary>
    public CancellationToken Cancellation { get; } = cancellationToken;

    /// <summary>Tables or JSON.</summary>
    public ConsoleOutput Output { get; } = new(parse.GetValue(connection.Json), AnsiConsole.Console);

    /// <summary>The client options from the command line, environment and config file.</summary>
    public AlertsClientOptions ClientOptions() => ClusterConnection.Resolve(Parse, connection);

    /// <summary>Connects and signs in; <paramref name="cancellationToken"/> (default: <see cref="Cancellation"/>) stops connecting.</summary>
    public Task<AlertsClient> ConnectAsync(CancellationToken? cancellationToken = null) =>
        ClusterConnection.ConnectAsync(ClientOptions(), cancellationToken ?? Cancellation);

    /// <summary>The case a move has just changed, with its delivery if the push hub answers, else a warning on standard error.</summary>
    public async Task<CaseView> AfterMoveAsync(AlertsClient client, CaseProgress progress)
    {
        var (view, warning) = await CaseView.AfterMoveAsync(progress, () => client.GetGrain<IPushHubGrain>(0).GetCaseDelivery(progress.CaseId));
        if (warning is not null) System.Console.Error.WriteLine($"alerts: warning: {warning}");
        return view;
    }

    /// <summary>The value of <paramref name="argument"/>.</summary>
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    /// <summary>The value of <paramref name="option"/>.</summary>
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);
}
