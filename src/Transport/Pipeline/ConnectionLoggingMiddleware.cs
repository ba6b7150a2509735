using System.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// Outermost connection middleware: logs each connection's open and close (Debug) and records the
/// connection metrics of <see cref="TransportMetrics"/>.
/// </summary>
public sealed partial class ConnectionLoggingMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly string _endpointName;
    private readonly TransportMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="endpointName">The endpoint name, for logs and metric tags.</param>
    /// <param name="metrics">The transport's instruments.</param>
    /// <param name="logger">The connection logger.</param>
    public ConnectionLoggingMiddleware(
        ConnectionDelegate next, string endpointName, TransportMetrics metrics, ILogger<ConnectionLoggingMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(endpointName);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _endpointName = endpointName;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Runs one connection through the rest of the pipeline.</summary>
    /// <param name="context">The connection.</param>
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var started = Stopwatch.GetTimestamp();
        _metrics.ConnectionOpened(_endpointName);
        LogOpened(_logger, context.ConnectionId, context.RemoteEndPoint?.ToString() ?? "unknown", _endpointName);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            var duration = Stopwatch.GetElapsedTime(started);
            _metrics.ConnectionClosed(_endpointName, duration);
            LogClosed(_logger, context.ConnectionId, context.RemoteEndPoint?.ToString() ?? "unknown", duration.TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} from {RemoteEndPoint} opened on endpoint '{Endpoint}'")]
    private static partial void LogOpened(ILogger logger, string connectionId, string remoteEndPoint, string endpoint);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} from {RemoteEndPoint} closed after {DurationMs:F1} ms")]
    private static partial void LogClosed(ILogger logger, string connectionId, string remoteEndPoint, double durationMs);
}
