using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session.Client;

// What a client makes of what arrives on its streams: responses, 1xx, trailers and response bodies (§8.1, §8.3.2).
internal sealed partial class Http2ClientSession
{
    /// <summary>
    /// A complete field block on a stream we opened: an interim (1xx) or the final response, or trailers once the
    /// response has started (§8.1). A server never opens a stream itself here (no push), so any other id is an error.
    /// </summary>
    protected override void OnFieldBlock(int id, ReadOnlySpan<byte> block, bool endStream, bool selfDependent)
    {
        Streams.TryGetValue(id, out Http2ClientStream? stream);
        bool trailers = stream is { ResponseStarted: true };
        Collector.ResetForResponse(trailers, Limits.MaxHeaderListSize);
        DecodeFieldBlock(block);

        if (stream is null)
        {
            OnFrameForClosedStream(id, FrameType.Headers);
            return;
        }

        if (!CheckCanReceive(stream, FrameType.Headers))
        {
            return;
        }

        if (selfDependent)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "stream depends on itself (§5.3.1)");
            return;
        }

        if (trailers)
        {
            OnTrailers(stream, endStream);
            return;
        }

        int status = Collector.ValidateResponse();
        if (Collector.TooLarge)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "response header list larger than SETTINGS_MAX_HEADER_LIST_SIZE (§6.5.2)");
            return;
        }

        if (Collector.Error is { } malformed)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "malformed response: " + malformed);
            return;
        }

        if (status < 200)
        {
            // §8.1: interim responses precede the final one and never end the stream.
            if (endStream)
            {
                StreamError(stream, Http2ErrorCode.ProtocolError, $"informational response {status} with END_STREAM (§8.1)");
            }

            return;
        }

        stream.ResponseStarted = true;
        if (!stream.IsHead && status is not (204 or 304))
        {
            stream.ExpectedContentLength = Collector.ContentLength;
            if (endStream && Collector.ContentLength is > 0)
            {
                StreamError(stream, Http2ErrorCode.ProtocolError, "content-length with no DATA (§8.1.1)");
                return;
            }
        }

        KeyValuePair<string, string>[] headers = Collector.TakeFields();
        if (endStream)
        {
            Apply(stream, StreamEvent.ReceiveEndStream);
        }

        _handler.OnResponse(id, status, headers, endStream);
    }

    private void OnTrailers(Http2ClientStream stream, bool endStream)
    {
        if (TakeTrailers(stream, endStream) is not { } trailers)
        {
            return;
        }

        int id = stream.Id;
        Apply(stream, StreamEvent.ReceiveEndStream);
        _handler.OnResponseTrailers(id, trailers);
    }

    /// <summary>Response body DATA: only after the final response's HEADERS (§8.1); padding's credit goes back at once.</summary>
    protected override void OnStreamData(Http2ClientStream stream, ReadOnlySpan<byte> data, int paddingLength, bool endStream)
    {
        if (!stream.ResponseStarted)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "DATA before the response's HEADERS (§8.1)");
            return;
        }

        if (paddingLength > 0)
        {
            ReleaseCredit(stream, paddingLength); // the application never sees padding
        }

        int id = stream.Id;
        if (endStream)
        {
            Apply(stream, StreamEvent.ReceiveEndStream);
        }

        _handler.OnResponseData(id, data, endStream);
    }

    /// <summary>
    /// The application hears of a stream that ended abnormally, and whether it may retry the request (§8.7: REFUSED_STREAM,
    /// or above the server's GOAWAY, means the server did not process it); a waiting request may take its place.
    /// </summary>
    protected override void OnStreamClosed(Http2ClientStream stream, StreamCloseReason reason, Http2ErrorCode errorCode, bool notify)
    {
        if (notify && reason != StreamCloseReason.Ended)
        {
            bool refused = reason == StreamCloseReason.Refused
                || (reason == StreamCloseReason.ResetByPeer && errorCode == Http2ErrorCode.RefusedStream);
            _handler.OnStreamReset(stream.Id, errorCode, refused);
        }

        if (!IsClosed && _waiting.Count > 0)
        {
            OpenWaitingStreams();
        }
    }
}
