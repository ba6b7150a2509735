using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session.Client;

/// <summary>
/// Receives what an <see cref="Http2ClientSession"/> decodes. Calls arrive on the thread that called into the
/// session, with its lock held: implementations hand work elsewhere and return quickly; spans are valid only
/// during the call.
/// </summary>
internal interface IHttp2ClientSessionHandler
{
    /// <summary>The final response header section of a stream arrived and is valid (§8.3.2); 1xx are not reported.</summary>
    void OnResponse(int streamId, int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream);

    /// <summary>
    /// Response body octets (padding removed). The application calls <see cref="Http2SessionCore{TStream}.AcknowledgeData"/>
    /// once it has consumed them, which reopens the server's window.
    /// </summary>
    void OnResponseData(int streamId, ReadOnlySpan<byte> data, bool endStream);

    /// <summary>Response trailers; the response is complete.</summary>
    void OnResponseTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers);

    /// <summary>
    /// The stream ended abnormally: reset by the server, by a stream error we detected, or because the connection
    /// is closing. <paramref name="refused"/>: the server has not processed the request (REFUSED_STREAM, above the
    /// last stream id of its GOAWAY, or never sent), so it may be retried on another connection (§8.7).
    /// </summary>
    void OnStreamReset(int streamId, Http2ErrorCode errorCode, bool refused);

    /// <summary>Request data that was waiting for the server's window was sent; more may be written.</summary>
    void OnStreamWritable(int streamId);

    /// <summary>The server acknowledged a PING of ours (§6.7) carrying <paramref name="opaqueData"/>.</summary>
    void OnPingAck(ulong opaqueData);

    /// <summary>The server sent GOAWAY (§6.8); streams above <paramref name="lastStreamId"/> were reset as refused before this call.</summary>
    void OnGoAway(int lastStreamId, Http2ErrorCode errorCode, string debugData);
}
