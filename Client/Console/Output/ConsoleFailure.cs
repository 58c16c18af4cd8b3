using Alerts.Geo;
using Alerts.GrainInterfaces;

namespace Alerts.Cli;

/// <summary>An error a person can act on: one line and the exit code it maps to.</summary>
public sealed class ConsoleFailure(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The process's exit code (<see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>Maps what a command threw (often an exception that crossed the wire from a grain) to a line and an exit code.</summary>
    public static ConsoleFailure From(Exception exception)
    {
        if (exception is ConsoleFailure failure) return failure;
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) return From(aggregate.InnerException!);
        return exception switch
        {
            AccessDeniedException e => new(ExitCodes.AccessDenied, $"access denied: {e.Message}", e),
            KeyNotFoundException e => new(ExitCodes.NotFound, e.Message, e),
            GeoValidationException e => new(ExitCodes.BadInput, WithoutParameterSuffix(e), e),
            ArgumentException e => new(ExitCodes.BadInput, WithoutParameterSuffix(e), e),
            FormatException e => new(ExitCodes.BadInput, e.Message, e),
            StorageUnavailableException e => new(ExitCodes.Failed, $"storage unavailable: {e.Message}", e),
            WrongStateException e => new(ExitCodes.WrongState, e.Message, e),
            TimeoutException e => new(ExitCodes.Unreachable, $"the cluster did not answer in time: {e.Message}", e),
            OrleansException e when e.Message.Contains("gateway", StringComparison.OrdinalIgnoreCase) || e is SiloUnavailableException =>
                new(ExitCodes.Unreachable, $"lost the connection to the cluster: {e.Message}", e),
            OperationCanceledException e => new(ExitCodes.Interrupted, "interrupted", e),
            // Anything else, an InvalidOperationException of the client's own (a disposed client) included, is not the
            // subject's state: one line with its type.
            _ => new(ExitCodes.Failed, $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}", exception),
        };
    }

    /// <summary>
    /// Runs a call that changes something. One that got no answer, or met a storage failure part way, may have been made
    /// all the same: the line says so and how to check, because running the command again could make the change twice
    /// (an update would go out twice).
    /// </summary>
    public static async Task<T> UnlessNoAnswerAsync<T>(Func<Task<T>> call, string change, string check)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failure = From(e);
            var unanswered = failure.ExitCode == ExitCodes.Unreachable;
            if (!unanswered && failure.InnerException is not StorageUnavailableException) throw failure;
            throw new ConsoleFailure(failure.ExitCode, $"{change} {(unanswered ? "got no answer" : "failed")} ({failure.Message}), so it may have been made. Check with: {check} before running it again", e);
        }
    }

    /// <summary>
    /// The field a refusal names: its <see cref="ArgumentException.ParamName"/>, or, once it has crossed the wire (which
    /// keeps the message but not the name), the <c> (Parameter 'x')</c> its message ends with.
    /// </summary>
    public static string? FieldOf(ArgumentException e)
    {
        if (e.ParamName is { } name) return name;
        const string marker = " (Parameter '";
        var at = e.Message.LastIndexOf(marker, StringComparison.Ordinal);
        return at >= 0 && e.Message.EndsWith("')", StringComparison.Ordinal) ? e.Message[(at + marker.Length)..^2] : null;
    }

    // ArgumentException appends " (Parameter 'x')"; the message already names the field.
    private static string WithoutParameterSuffix(ArgumentException e) =>
        FieldOf(e) is { } name && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{name}')".Length]
            : e.Message;
}
