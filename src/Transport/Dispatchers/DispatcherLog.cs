using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>Source-generated log messages of the dispatchers.</summary>
internal static partial class DispatcherLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error,
        Message = "Endpoint '{Endpoint}': connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string connectionId, Exception exception);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug,
        Message = "Endpoint '{Endpoint}': connection {ConnectionId} ended by the network: {Reason}")]
    public static partial void ConnectionEndedByNetwork(ILogger logger, string endpoint, string connectionId, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Critical,
        Message = "Endpoint '{Endpoint}': the listener failed; no new connections will be accepted")]
    public static partial void AcceptFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information,
        Message = "Endpoint '{Endpoint}': stopped accepting; asking {Count} connection(s) to close")]
    public static partial void Draining(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning,
        Message = "Endpoint '{Endpoint}': {Count} connection(s) did not close within the shutdown timeout; aborting them")]
    public static partial void AbortingConnections(ILogger logger, string endpoint, int count);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug,
        Message = "Endpoint '{Endpoint}': could not set TCP_NODELAY={NoDelay} on connection {ConnectionId}: {Reason}")]
    public static partial void NoDelayFailed(ILogger logger, string endpoint, bool noDelay, string connectionId, string reason);
}
