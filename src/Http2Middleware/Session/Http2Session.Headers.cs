using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// SETTINGS and field blocks: HEADERS, CONTINUATION, request validation, stream creation.
internal sealed partial class Http2Session
{
    private long _settingsSentAt;
    private bool _settingsAcknowledged;
    private long _headersStartedAt;

    private void OnSettings(in Http2Frame frame)
    {
        if (frame.IsAck)
        {
            // Our SETTINGS are in force now, including a smaller header table than the default.
            _settingsAcknowledged = true;
            _decoder.MaxDynamicTableSize = _limits.HeaderTableSize;
            return;
        }

        if (_settingsReceived && !_settings.TryTake(_time.GetTimestamp(), _time))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.EnhanceYourCalm, $"more than {_limits.MaxSettingsPerSecond} SETTINGS per second"));
            return;
        }

        _settingsReceived = true;
        for (int i = 0; i < frame.SettingsCount; i++)
        {
            (SettingsParameter parameter, uint value) = frame.GetSetting(i);
            int oldWindow = _peerSettings.InitialWindowSize;
            if (!_peerSettings.TryApply(parameter, value, fromServer: false, out FrameError error))
            {
                ConnectionError(error);
                return;
            }

            if (parameter == SettingsParameter.HeaderTableSize)
            {
                _encoder.SetPeerMaxTableSize((int)Math.Min(value, int.MaxValue));
            }
            else if (parameter == SettingsParameter.InitialWindowSize && !TryApplyInitialWindowSize(_peerSettings.InitialWindowSize - (long)oldWindow))
            {
                return;
            }
        }

        FrameWriter.WriteSettingsAck(_output);
        ProduceData();
    }

    /// <summary>§6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE changes every open stream's window; they may go negative.</summary>
    private bool TryApplyInitialWindowSize(long delta)
    {
        foreach (Http2Stream stream in _streams.Values)
        {
            if (!stream.Outbound.TryGrow(delta))
            {
                ConnectionError(FrameError.Connection(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window (§6.9.2)"));
                return false;
            }

            if (delta > 0 && stream.HasWorkToSend)
            {
                Enqueue(stream);
            }
        }

        return true;
    }

    private void OnHeaders(in Http2Frame frame)
    {
        if (frame.EndHeaders)
        {
            OnFieldBlock(frame.StreamId, frame.Content, frame.EndStream, frame.IsSelfDependent);
            return;
        }

        if (_headersStartedAt == 0)
        {
            _headersStartedAt = _time.GetTimestamp();
        }

        if (!_assembler.TryBegin(frame, out FrameError error))
        {
            ConnectionError(error);
        }
    }

    private void OnContinuation(in Http2Frame frame)
    {
        if (!_assembler.TryAppend(frame, out bool complete, out FrameError error))
        {
            ConnectionError(error);
            return;
        }

        if (complete)
        {
            try
            {
                OnFieldBlock(_assembler.StreamId, _assembler.Block, _assembler.EndStream, _assembler.SelfDependent);
            }
            finally
            {
                _assembler.Reset();
            }
        }
    }

    /// <summary>
    /// The largest header block buffered: compressed blocks are rarely larger than the list they decode
    /// to, so twice the list limit (plus a frame) bounds memory without rejecting real requests.
    /// </summary>
    private static int MaxHeaderBlockSize(Http2Limits limits) =>
        (int)Math.Min(int.MaxValue / 2, 2L * limits.MaxHeaderListSize + limits.MaxFrameSize);

    /// <summary>A complete field block: a new request, trailers, or a block for a stream that is gone.</summary>
    private void OnFieldBlock(int id, ReadOnlySpan<byte> block, bool endStream, bool selfDependent)
    {
        _streams.TryGetValue(id, out Http2Stream? stream);
        _collector.ResetForRequest(trailers: stream is not null, _limits.MaxHeaderListSize);

        // Always decode: the HPACK context must stay in step even for blocks we then reject (§4.3).
        _decoder.Decode(block, _collector);

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

        if (id <= _lastClientStreamId)
        {
            OnFrameForClosedStream(id, FrameType.Headers);
            return;
        }

        _lastClientStreamId = id;
        if (_goAwaySent)
        {
            _closedStreams.Record(id, StreamCloseReason.Refused); // §6.8: streams above our GOAWAY's last id are ignored.
            return;
        }

        if (selfDependent)
        {
            RejectStream(id, Http2ErrorCode.ProtocolError, "stream depends on itself (§5.3.1)");
            return;
        }

        if (_streams.Count >= _limits.MaxConcurrentStreams)
        {
            RejectStream(id, Http2ErrorCode.RefusedStream, "SETTINGS_MAX_CONCURRENT_STREAMS exceeded (§5.1.2)", StreamCloseReason.Refused);
            return;
        }

        if (!_collector.TooLarge)
        {
            _collector.ValidateRequest(enableConnectProtocol: false);
            if (_collector.Error is { } malformed)
            {
                RejectStream(id, Http2ErrorCode.ProtocolError, "malformed request: " + malformed);
                return;
            }

            if (endStream && _collector.ContentLength is > 0)
            {
                RejectStream(id, Http2ErrorCode.ProtocolError, "content-length with no DATA (§8.1.1)");
                return;
            }
        }

        stream = OpenStream(id);
        if (_collector.TooLarge)
        {
            // §6.5.2 / RFC 6585: answer 431 rather than process an oversized header list.
            RespondForApplication(stream, 431, endStream);
            return;
        }

        if (_limits.MaxRequestBodySize is long max && _collector.ContentLength > max)
        {
            RespondForApplication(stream, 413, endStream);
            return;
        }

        stream.ExpectedContentLength = _collector.ContentLength;
        var request = new Http2RequestHead(_collector.Method!, _collector.Scheme ?? "", _collector.Authority ?? _collector.Host ?? "",
            _collector.Path ?? "", _collector.Protocol, _collector.TakeFields(), _collector.ContentLength);

        // §5.1: half-closed (remote) before the application hears of it, as it may respond from inside the call.
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        _handler.OnRequest(id, request, endStream);
    }

    private Http2Stream OpenStream(int id)
    {
        Http2Stream stream;
        if (_spareStreams.TryPop(out Http2Stream? spare))
        {
            // A closed stream's object (and its two windows) serves again: no allocation per request.
            spare.Reuse(id, _limits.InitialStreamWindowSize, _peerSettings.InitialWindowSize);
            stream = spare;
        }
        else
        {
            stream = new Http2Stream(
                id,
                new InboundWindow(_limits.InitialStreamWindowSize, _limits.InitialStreamWindowSize / 2),
                new OutboundWindow(_peerSettings.InitialWindowSize, _connectionOutbound));
        }

        _streams.Add(id, stream);
        Apply(stream, StreamEvent.ReceiveHeaders);
        return stream;
    }

    private void OnTrailers(Http2Stream stream, bool endStream, bool selfDependent)
    {
        int id = stream.Id;
        if (!StreamStateMachine.CanReceive(stream.State))
        {
            ConnectionError(AfterEndStream(FrameType.Headers, id));
            return;
        }

        if (selfDependent)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "stream depends on itself (§5.3.1)");
            return;
        }

        if (!endStream)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "trailers without END_STREAM (§8.1)");
            return;
        }

        if (_collector.Error is not null || _collector.TooLarge)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "malformed trailers: " + (_collector.Error ?? "too large"));
            return;
        }

        if (stream.ExpectedContentLength is long expected && expected != stream.ReceivedLength)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, $"content-length {expected} does not match the DATA received (§8.1.1)");
            return;
        }

        KeyValuePair<string, string>[] trailers = _collector.TakeFields();
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
    private void RespondForApplication(Http2Stream stream, int status, bool endStream)
    {
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        stream.BodyAbandoned = true;
        SendResponseHeaders(stream, status, [new("content-length", "0")], endStream: true);
    }

    private void ApplyRemoteEnd(Http2Stream stream) => Apply(stream, StreamEvent.ReceiveEndStream);
}
