using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>A logger enabled at every level that formats each message and drops it: the session's log calls run on fuzzed input too.</summary>
internal sealed class FormattingLogger : ILogger
{
    public long Messages { get; private set; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _ = formatter(state, exception);
        Messages++;
    }
}
