using Http2Lab.Http2.Frames;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Log lines of the protocol core (source-generated, no allocation when disabled). What a peer does wrong is
/// logged at Debug: garbage traffic must not grow an Information log.
/// </summary>
internal static partial class SessionLog
{
    [LoggerMessage(1, LogLevel.Debug, "HTTP/2 connection error {ErrorCode}: {Reason}; sending GOAWAY (last stream {LastStreamId})")]
    public static partial void ConnectionError(ILogger logger, Http2ErrorCode errorCode, string reason, int lastStreamId);

    [LoggerMessage(2, LogLevel.Debug, "HTTP/2 stream {StreamId} error {ErrorCode}: {Reason}; sending RST_STREAM")]
    public static partial void StreamError(ILogger logger, int streamId, Http2ErrorCode errorCode, string reason);

    [LoggerMessage(3, LogLevel.Debug, "HTTP/2 GOAWAY received: last stream {LastStreamId}, {ErrorCode}")]
    public static partial void GoAwayReceived(ILogger logger, int lastStreamId, Http2ErrorCode errorCode);

    [LoggerMessage(4, LogLevel.Debug, "HTTP/2 stream {StreamId} reset by the peer: {ErrorCode}")]
    public static partial void StreamResetByPeer(ILogger logger, int streamId, Http2ErrorCode errorCode);

    [LoggerMessage(5, LogLevel.Debug, "HTTP/2 graceful shutdown: GOAWAY NO_ERROR announcing it, and a PING; {Active} streams in flight")]
    public static partial void GracefulShutdown(ILogger logger, int active);

    [LoggerMessage(6, LogLevel.Trace, "HTTP/2 frame in: {Header}")]
    public static partial void FrameIn(ILogger logger, FrameHeader header);

    [LoggerMessage(7, LogLevel.Debug, "HTTP/2 connection idle for {Seconds} s (KeepAliveTimeout); closing with GOAWAY")]
    public static partial void KeepAliveTimeout(ILogger logger, double seconds);

    [LoggerMessage(9, LogLevel.Debug, "HTTP/1.x request on an HTTP/2-only (h2c) endpoint ({RequestLine}): answered 505 HTTP Version Not Supported and closed")]
    public static partial void Http1Refused(ILogger logger, string requestLine);

    [LoggerMessage(8, LogLevel.Debug, "HTTP/2 graceful shutdown: final GOAWAY NO_ERROR, last stream {LastStreamId}, {Active} streams in flight")]
    public static partial void FinalGoAway(ILogger logger, int lastStreamId, int active);
}
