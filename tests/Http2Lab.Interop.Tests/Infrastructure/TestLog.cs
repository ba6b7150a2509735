using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>Collects a test host's log lines, for diagnostics in assertion messages.</summary>
public sealed class TestLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The last <paramref name="count"/> lines, one per line.</summary>
    public string Tail(int count = 20) => string.Join('\n', Lines.TakeLast(count));

    public void Dispose()
    {
    }

    private sealed class Logger(TestLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Bounded: a noisy failure must not grow memory without limit.
            if (log._lines.Count < 10_000)
            {
                log._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
