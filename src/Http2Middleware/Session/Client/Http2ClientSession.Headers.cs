using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session.Client;

// The server's SETTINGS and field blocks: what an incoming HEADERS means to a client (§8.1, §8.3.2).
internal sealed partial class Http2ClientSession
{
    private void OnSettings(in Http2Frame frame)
    {
        if (frame.IsAck)
        {
            return;
        }

        _settingsReceived = true;
        for (int i = 0; i < frame.SettingsCount; i++)
        {
            (SettingsParameter parameter, uint value) = frame.GetSetting(i);
            int oldWindow = _peerSettings.InitialWindowSize;
            if (!_peerSettings.TryApply(parameter, value, out FrameError error))
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
        OpenWaitingStreams(); // SETTINGS_MAX_CONCURRENT_STREAMS may have grown (§5.1.2)
        ProduceData();
    }

    /// <summary>§6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE changes every open stream's window; they may go negative.</summary>
    private bool TryApplyInitialWindowSize(long delta)
    {
        foreach (Http2ClientStream stream in _streams.Values)
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
            OnFieldBlock(frame.StreamId, frame.Content, frame.EndStream);
            return;
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
                OnFieldBlock(_assembler.StreamId, _assembler.Block, _assembler.EndStream);
            }
            finally
            {
                _assembler.Reset();
            }
        }
    }

    /// <summary>
    /// A complete field block on a stream we opened: an interim (1xx) or the final response, or trailers once the
    /// response has started (§8.1). A server never opens a stream itself here (no push), so any other id is an error.
    /// </summary>
    private void OnFieldBlock(int id, ReadOnlySpan<byte> block, bool endStream)
    {
        _streams.TryGetValue(id, out Http2ClientStream? stream);
        bool trailers = stream is { ResponseStarted: true };
        _collector.ResetForResponse(trailers, _limits.MaxHeaderListSize);

        // Always decode: the HPACK context must stay in step even for blocks we then reject (§4.3).
        _decoder.Decode(block, _collector);

        if (stream is null)
        {
            OnFrameForClosedStream(id, FrameType.Headers);
            return;
        }

        if (!StreamStateMachine.CanReceive(stream.State))
        {
            StreamError(stream, Http2ErrorCode.StreamClosed, $"HEADERS on stream {id} after its END_STREAM (§5.1)");
            return;
        }

        if (trailers)
        {
            OnTrailers(stream, endStream);
            return;
        }

        int status = _collector.ValidateResponse();
        if (_collector.TooLarge)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "response header list larger than SETTINGS_MAX_HEADER_LIST_SIZE (§6.5.2)");
            return;
        }

        if (_collector.Error is { } malformed)
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
            stream.ExpectedContentLength = _collector.ContentLength;
            if (endStream && _collector.ContentLength is > 0)
            {
                StreamError(stream, Http2ErrorCode.ProtocolError, "content-length with no DATA (§8.1.1)");
                return;
            }
        }

        KeyValuePair<string, string>[] headers = _collector.TakeFields();
        if (endStream)
        {
            Apply(stream, StreamEvent.ReceiveEndStream);
        }

        _handler.OnResponse(id, status, headers, endStream);
    }

    private void OnTrailers(Http2ClientStream stream, bool endStream)
    {
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
        Apply(stream, StreamEvent.ReceiveEndStream);
        _handler.OnResponseTrailers(stream.Id, trailers);
    }
}
