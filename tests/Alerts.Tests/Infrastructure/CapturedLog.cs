using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Alerts.Tests;

/// <summary>A logger provider that keeps every line in memory, so a test can count what a silo logged.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _lines = new();

    /// <summary>Everything logged so far, oldest first.</summary>
    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines => _lines.ToList();

    /// <summary>The warnings logged so far whose text contains <paramref name="text"/>.</summary>
    public List<string> Warnings(string text) => Logged(LogLevel.Warning, text);

    /// <summary>The lines logged so far at <paramref name="level"/> whose text contains <paramref name="text"/>.</summary>
    public List<string> Logged(LogLevel level, string text) =>
        Lines.Where(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal)).Select(l => l.Message).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
