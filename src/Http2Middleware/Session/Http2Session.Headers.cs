using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// Field blocks as a server reads them: a new request (validated, within the limits) or its trailers (§8.1, §8.3.1).
internal sealed partial class Http2Session
{
    /// <summary>A complete field block: a new request, trailers, or a block for a stream that is gone.</summary>
    protected override void OnFieldBlock(int id, ReadOnlySpan<byte> block, bool endStream, bool selfDependent)
    {
        Streams.TryGetValue(id, out Http2ServerStream? stream);
        Collector.ResetForRequest(trailers: stream is not null, Limits.MaxHeaderListSize);
        DecodeFieldBlock(block);

        if (stream is not null)
        {
            OnTrailers(stream, endStream, selfDependent);
            return;
        }

        if ((id & 1) == 0)
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"client used even stream id {id} (§5.1.1)"));
            return;
        }

        if (id <= LastPeerStreamId)
        {
            OnOldStreamId(id);
            return;
        }

        LastPeerStreamId = id;
        if (GoAwaySent)
        {
            RecentlyClosed.Record(id, StreamCloseReason.Refused); // §6.8: streams above our GOAWAY's last id are ignored.
            return;
        }

        if (selfDependent)
        {
            RejectStream(id, Http2ErrorCode.ProtocolError, "stream depends on itself (§5.3.1)");
            return;
        }

        if (Streams.Count >= Limits.MaxConcurrentStreams)
        {
            RejectStream(id, Http2ErrorCode.RefusedStream, "SETTINGS_MAX_CONCURRENT_STREAMS exceeded (§5.1.2)", StreamCloseReason.Refused);
            return;
        }

        if (!Collector.TooLarge)
        {
            Collector.ValidateRequest(enableConnectProtocol: false);
            if (Collector.Error is { } malformed)
            {
                RejectStream(id, Http2ErrorCode.ProtocolError, "malformed request: " + malformed);
                return;
            }

            if (endStream && Collector.ContentLength is > 0)
            {
                RejectStream(id, Http2ErrorCode.ProtocolError, "content-length with no DATA (§8.1.1)");
                return;
            }
        }

        stream = OpenStream(id);
        if (Collector.TooLarge)
        {
            // §6.5.2 / RFC 6585: answer 431 rather than process an oversized header list.
            RespondForApplication(stream, 431, endStream);
            return;
        }

        if (Limits.MaxRequestBodySize is long max && Collector.ContentLength > max)
        {
            RespondForApplication(stream, 413, endStream);
            return;
        }

        stream.ExpectedContentLength = Collector.ContentLength;
        var request = new Http2RequestHead(Collector.Method!, Collector.Scheme ?? "", Collector.Authority ?? Collector.Host ?? "",
            Collector.Path ?? "", Collector.Protocol, Collector.Fields, Collector.ContentLength);

        // §5.1: half-closed (remote) before the application hears of it, as it may respond from inside the call.
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        _handler.OnRequest(id, request, endStream);
    }

    /// <summary>
    /// HEADERS on a stream id the client has already passed: §5.1.1 makes an id it never used unusable for ever (a
    /// connection error), and one it used is a closed stream (<see cref="Http2SessionCore{TStream}.OnFrameForClosedStream"/>).
    /// </summary>
    private void OnOldStreamId(int id)
    {
        if (RecentlyClosed.Lookup(id, out _) == ClosedStreams.Knowledge.NeverUsed)
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"stream id {id} is not greater than {LastPeerStreamId} (§5.1.1)"));
            return;
        }

        OnFrameForClosedStream(id, FrameType.Headers);
    }

    private Http2ServerStream OpenStream(int id)
    {
        Http2ServerStream stream = RentStream(id);
        Streams.Add(id, stream);
        Apply(stream, StreamEvent.ReceiveHeaders);
        return stream;
    }

    private void OnTrailers(Http2ServerStream stream, bool endStream, bool selfDependent)
    {
        if (!CheckCanReceive(stream, FrameType.Headers))
        {
            return;
        }

        if (selfDependent)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "stream depends on itself (§5.3.1)");
            return;
        }

        if (TakeTrailers(stream, endStream) is not { } trailers)
        {
            return;
        }

        int id = stream.Id;
        bool deliver = !stream.BodyAbandoned;
        ApplyRemoteEnd(stream);
        if (deliver)
        {
            _handler.OnRequestTrailers(id, trailers);
        }
    }

    /// <summary>
    /// The session answers a request itself (431, 413) without the application: the body, if one follows,
    /// is discarded until END_STREAM, and reset with NO_ERROR if the client fills its window (§8.1).
    /// </summary>
    private void RespondForApplication(Http2ServerStream stream, int status, bool endStream)
    {
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        stream.BodyAbandoned = true;
        SendResponseHeaders(stream, status, [new("content-length", "0")], endStream: true);
    }

    private void ApplyRemoteEnd(Http2ServerStream stream) => Apply(stream, StreamEvent.ReceiveEndStream);
}
