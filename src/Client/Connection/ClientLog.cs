using Http2Lab.Http2.Frames;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Client.Connection;

/// <summary>Log lines of the client (source-generated).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Debug, "HTTP/2 client connected to {Authority} ({Transport})")]
    public static partial void Connected(ILogger logger, string authority, string transport);

    [LoggerMessage(2, LogLevel.Debug, "HTTP/2 client: {Authority} sent GOAWAY (last stream {LastStreamId}, {ErrorCode}) {DebugData}")]
    public static partial void GoAway(ILogger logger, string authority, int lastStreamId, Http2ErrorCode errorCode, string debugData);

    [LoggerMessage(3, LogLevel.Debug, "HTTP/2 client: writing to {Authority} failed: {Reason}")]
    public static partial void WriteFailed(ILogger logger, string authority, string reason);

    [LoggerMessage(4, LogLevel.Debug, "HTTP/2 client: retrying {Method} {Url} on a new connection: {Reason}")]
    public static partial void Retry(ILogger logger, string method, Uri url, string reason);
}
