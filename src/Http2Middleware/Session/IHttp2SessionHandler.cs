using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Receives what an <see cref="Http2Session"/> decodes. Calls arrive on the thread that called
/// <see cref="Http2SessionCore{TStream}.Receive"/> (or another session method), with the session's lock held:
/// implementations hand work elsewhere and return quickly; spans are valid only during the call.
/// </summary>
internal interface IHttp2SessionHandler
{
    /// <summary>A new request's headers are complete and valid; <paramref name="request"/>'s fields are lent for this call only.</summary>
    void OnRequest(int streamId, Http2RequestHead request, bool endStream);

    /// <summary>
    /// Request body octets (padding removed). The application calls
    /// <see cref="Http2SessionCore{TStream}.AcknowledgeData"/> once it has consumed them, which reopens the peer's window.
    /// </summary>
    void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream);

    /// <summary>Request trailers; the request is complete.</summary>
    void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers);

    /// <summary>
    /// The stream ended abnormally: reset by the peer, by a stream error we detected, or because the
    /// connection is closing. The application stops working on it.
    /// </summary>
    void OnStreamReset(int streamId, Http2ErrorCode errorCode);

    /// <summary>Response data that was waiting for the peer's window was sent; more may be written.</summary>
    void OnStreamWritable(int streamId);

    /// <summary>The peer sent GOAWAY.</summary>
    void OnGoAway(int lastStreamId, Http2ErrorCode errorCode);
}
