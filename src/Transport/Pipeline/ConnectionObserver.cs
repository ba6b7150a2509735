using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// Logs each connection's open and close (Debug) and records the connection metrics of <see cref="TransportMetrics"/>,
/// for one endpoint — the same lines and instruments whichever dispatcher runs the connection.
/// </summary>
internal sealed partial class ConnectionObserver
{
    private readonly string _endpointName;
    private readonly TransportMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the observer of one endpoint.</summary>
    public ConnectionObserver(string endpointName, TransportMetrics metrics, ILogger logger)
    {
        _endpointName = endpointName;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>A connection was accepted; returns the timestamp to hand to <see cref="Closed"/>.</summary>
    public long Opened(string connectionId, string remoteEndPoint)
    {
        _metrics.ConnectionOpened(_endpointName);
        LogOpened(_logger, connectionId, remoteEndPoint, _endpointName);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>A connection opened at <paramref name="openedAt"/> was closed.</summary>
    public void Closed(string connectionId, string remoteEndPoint, long openedAt)
    {
        var duration = Stopwatch.GetElapsedTime(openedAt);
        _metrics.ConnectionClosed(_endpointName, duration);
        LogClosed(_logger, connectionId, remoteEndPoint, duration.TotalMilliseconds);
    }

    /// <summary>A connection was accepted over the endpoint's connection limit and closed at once.</summary>
    public void Rejected(string reason) => _metrics.ConnectionRejected(_endpointName, reason);

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} from {RemoteEndPoint} opened on endpoint '{Endpoint}'")]
    private static partial void LogOpened(ILogger logger, string connectionId, string remoteEndPoint, string endpoint);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} from {RemoteEndPoint} closed after {DurationMs:F1} ms")]
    private static partial void LogClosed(ILogger logger, string connectionId, string remoteEndPoint, double durationMs);
}
