using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>Collects a defence host's log lines (Debug and above, bounded) for failure messages.</summary>
public sealed class DefenceLog : ILoggerProvider
{
    private const int MaxLines = 20_000;
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The last <paramref name="count"/> lines, one per line, for assertion messages.</summary>
    public string Tail(int count = 25) => "Server log (tail):\n  " + string.Join("\n  ", Lines.TakeLast(count));

    public void Dispose()
    {
    }

    private sealed class Logger(DefenceLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (log._lines.Count < MaxLines)
            {
                string name = category[(category.LastIndexOf('.') + 1)..];
                log._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {name}: {formatter(state, exception)}"
                    + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message));
            }
        }
    }
}
