using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>Log lines of the HTTP/2 connection processor.</summary>
internal static partial class Http2ConnectionLog
{
    [LoggerMessage(20, LogLevel.Error, "Handler for stream {StreamId} ({Method} {Path}) threw; answering 500 or RST_STREAM INTERNAL_ERROR")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, int streamId, string method, string path);

    [LoggerMessage(22, LogLevel.Debug, "HTTP/2 connection {ConnectionId} closing gracefully ({Active} streams in flight)")]
    public static partial void ClosingGracefully(ILogger logger, string connectionId, int active);

    [LoggerMessage(23, LogLevel.Warning, "HTTP/2 connection {ConnectionId}: {Count} handlers still running {Seconds} s after the connection closed")]
    public static partial void HandlersStillRunning(ILogger logger, string connectionId, int count, double seconds);
}
