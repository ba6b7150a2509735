using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// SETTINGS and header blocks: HEADERS, CONTINUATION, request validation, stream creation.
public sealed partial class Http2Session
{
    private int _headerStreamId;
    private bool _headerEndStream;
    private bool _headerSelfDependent;
    private int _continuationCount;
    private readonly int[] _recentlyReset = new int[256];
    private readonly int[] _recentlyClosed = new int[256];
    private int _recentlyClosedNext;
    private int _recentlyResetNext;
    private long _resetWindowStart;
    private int _resetsInWindow;

    private void OnSettings(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
        }

        if (header.HasFlag(FrameFlags.Ack))
        {
            if (payload.Length != 0)
            {
                throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "SETTINGS ACK with a payload");
            }

            // Our SETTINGS are in force now, including a smaller header table than the default.
            _decoder.MaxDynamicTableSize = _limits.HeaderTableSize;
            return;
        }

        if (payload.Length % 6 != 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "SETTINGS payload is not a multiple of 6 octets");
        }

        _settingsReceived = true;
        for (int offset = 0; offset < payload.Length; offset += 6)
        {
            KeyValuePair<SettingsParameter, uint> setting = FrameReader.ReadSetting(payload, offset / 6);
            ApplySetting(setting.Key, setting.Value);
        }

        FrameWriter.WriteSettingsAck(_output);
        ProduceData();
    }

    private void ApplySetting(SettingsParameter parameter, uint value)
    {
        switch (parameter)
        {
            case SettingsParameter.HeaderTableSize:
                _encoder.SetPeerMaxTableSize((int)Math.Min(value, int.MaxValue));
                break;
            case SettingsParameter.EnablePush:
            case SettingsParameter.EnableConnectProtocol:
            case SettingsParameter.NoRfc7540Priorities:
                if (value > 1)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"SETTINGS {parameter} must be 0 or 1");
                }

                break;
            case SettingsParameter.InitialWindowSize:
                if (value > Http2Constants.MaxWindowSize)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                }

                // §6.9.2: the change applies to every open stream; windows may go negative.
                long delta = (long)value - _peerInitialWindowSize;
                _peerInitialWindowSize = (int)value;
                foreach (Http2Stream stream in _streams.Values)
                {
                    if (!stream.SendWindow.TryAdjust(delta))
                    {
                        throw Http2ProtocolException.Connection(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window");
                    }

                    if (delta > 0 && stream.HasWorkToSend)
                    {
                        Enqueue(stream);
                    }
                }

                break;
            case SettingsParameter.MaxFrameSize:
                if (value is < Http2Constants.DefaultMaxFrameSize or > Http2Constants.MaxAllowedFrameSize)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "SETTINGS_MAX_FRAME_SIZE outside 16384..16777215");
                }

                _peerMaxFrameSize = (int)value;
                break;
            default:
                break; // MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE constrain a sender of requests; unknown ids are ignored (§6.5.2).
        }
    }

    private void OnHeaders(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        int id = header.StreamId;
        if (id == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "HEADERS on stream 0");
        }

        ReadOnlySpan<byte> fragment = RemovePadding(header, payload, "HEADERS");
        bool selfDependent = false;
        if (header.HasFlag(FrameFlags.Priority))
        {
            if (fragment.Length < 5)
            {
                throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority fields");
            }

            selfDependent = FrameReader.ReadPriority(fragment).Dependency == id;
            fragment = fragment[5..];
        }

        if (header.HasFlag(FrameFlags.EndHeaders))
        {
            ProcessHeaderBlock(id, fragment, header.HasFlag(FrameFlags.EndStream), selfDependent);
            return;
        }

        _headerStreamId = id;
        _headerEndStream = header.HasFlag(FrameFlags.EndStream);
        _headerSelfDependent = selfDependent;
        _continuationCount = 0;
        _headerBlock.Clear();
        AppendHeaderFragment(fragment);
    }

    private void OnContinuation(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_headerStreamId == 0 || header.StreamId != _headerStreamId)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"unexpected CONTINUATION on stream {header.StreamId}");
        }

        if (++_continuationCount > _limits.MaxContinuationFrames)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.EnhanceYourCalm, "too many CONTINUATION frames in one header block");
        }

        AppendHeaderFragment(payload);
        if (header.HasFlag(FrameFlags.EndHeaders))
        {
            int id = _headerStreamId;
            _headerStreamId = 0;
            ProcessHeaderBlock(id, _headerBlock.WrittenSpan, _headerEndStream, _headerSelfDependent);
            _headerBlock.Clear();
        }
    }

    private void AppendHeaderFragment(ReadOnlySpan<byte> fragment)
    {
        if (_headerBlock.Length + fragment.Length > MaxHeaderBlockSize(_limits))
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.EnhanceYourCalm, "header block too large");
        }

        _headerBlock.Write(fragment);
    }

    /// <summary>
    /// The largest header block buffered: compressed blocks are rarely larger than the list they decode
    /// to, so twice the list limit (plus a frame) bounds memory without rejecting real requests.
    /// </summary>
    private static int MaxHeaderBlockSize(Http2Limits limits) =>
        (int)Math.Min(int.MaxValue / 2, 2L * limits.MaxHeaderListSize + limits.MaxFrameSize);

    private void ProcessHeaderBlock(int id, ReadOnlySpan<byte> block, bool endStream, bool selfDependent)
    {
        _streams.TryGetValue(id, out Http2Stream? stream);
        _collector.Reset(trailers: stream is not null, _limits.MaxHeaderListSize);

        // Always decode: the HPACK context must stay in step even for blocks we then reject (§4.3).
        _decoder.Decode(block, _collector);

        if (stream is not null)
        {
            OnTrailers(stream, endStream, selfDependent);
            return;
        }

        if ((id & 1) == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"client used even stream id {id}");
        }

        if (id <= _lastClientStreamId)
        {
            if (WasResetByUs(id))
            {
                return;
            }

            // §5.1: a stream that really ran and closed gets STREAM_CLOSED; an id that went backwards
            // without ever being used is an unexpected identifier (§5.1.1).
            throw Array.IndexOf(_recentlyClosed, id) >= 0
                ? Http2ProtocolException.Connection(Http2ErrorCode.StreamClosed, $"HEADERS on closed stream {id}")
                : Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"stream id {id} is not greater than {_lastClientStreamId}");
        }

        _lastClientStreamId = id;
        if (_goAwaySent)
        {
            RecordReset(id); // §6.8: streams above our GOAWAY's last id are ignored.
            return;
        }

        if (selfDependent)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "stream depends on itself");
        }

        if (_streams.Count >= _limits.MaxConcurrentStreams)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.RefusedStream, "SETTINGS_MAX_CONCURRENT_STREAMS exceeded");
        }

        stream = new Http2Stream(id, _peerInitialWindowSize, _limits.InitialStreamWindowSize);
        stream.State = StreamStateMachine.Transition(StreamState.Idle, StreamEvent.ReceiveHeaders)!.Value;
        _streams.Add(id, stream);

        if (_collector.TooLarge)
        {
            RespondHeadersTooLarge(stream, endStream);
            return;
        }

        _collector.ValidateRequest(enableConnectProtocol: false);
        if (_collector.Error is { } error)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "malformed request: " + error);
        }

        if (endStream && _collector.ContentLength is > 0)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "content-length with no DATA (§8.1.1)");
        }

        stream.ExpectedContentLength = _collector.ContentLength;
        var request = new Http2RequestHead(_collector.Method!, _collector.Scheme ?? "", _collector.Authority ?? _collector.Host ?? "",
            _collector.Path ?? "", _collector.Protocol, _collector.TakeFields(), _collector.ContentLength);
        stream.Delivered = true;

        // §5.1: half-closed (remote) before the application hears of it, as it may respond from inside the call.
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        _handler.OnRequest(id, request, endStream);
    }

    private void OnTrailers(Http2Stream stream, bool endStream, bool selfDependent)
    {
        int id = stream.Id;
        if (!StreamStateMachine.CanReceive(stream.State))
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.StreamClosed, "HEADERS after END_STREAM");
        }

        if (selfDependent)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "stream depends on itself");
        }

        if (!endStream)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "trailers without END_STREAM (§8.1)");
        }

        if (_collector.Error is not null || _collector.TooLarge)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "malformed trailers: " + (_collector.Error ?? "too large"));
        }

        if (stream.ExpectedContentLength is long expected && expected != stream.ReceivedLength)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, $"content-length {expected} does not match the DATA received (§8.1.1)");
        }

        KeyValuePair<string, string>[] trailers = _collector.TakeFields();
        ApplyRemoteEnd(stream);
        _handler.OnRequestTrailers(id, trailers);
    }

    /// <summary>§6.5.2 / RFC 6585: answer 431 rather than process an oversized header list.</summary>
    private void RespondHeadersTooLarge(Http2Stream stream, bool endStream)
    {
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        // If the client is still sending a body, ending the response resets it with NO_ERROR.
        SendResponseHeaders(stream, 431, [], endStream: true);
    }

    private void ApplyRemoteEnd(Http2Stream stream)
    {
        StreamState? next = StreamStateMachine.Transition(stream.State, StreamEvent.ReceiveEndStream);
        if (next is null)
        {
            return;
        }

        stream.State = next.Value;
        if (stream.State == StreamState.Closed)
        {
            CloseStream(stream);
        }
    }

    private void StreamError(int id, Http2ErrorCode errorCode, string reason)
    {
        // Resets the client provokes cost us as much as its own (the "MadeYouReset" variant).
        CountReset();
        SessionLog.StreamError(_logger, id, errorCode, reason);
        FrameWriter.WriteRstStream(_output, id, errorCode);
        RecordReset(id);
        if (_streams.TryGetValue(id, out Http2Stream? stream))
        {
            CloseStream(stream);
            stream.State = StreamState.Closed;
            if (stream.Delivered)
            {
                _handler.OnStreamReset(id, errorCode);
            }
        }
    }

    private void RecordReset(int id)
    {
        _recentlyReset[_recentlyResetNext] = id;
        _recentlyResetNext = (_recentlyResetNext + 1) % _recentlyReset.Length;
    }

    private bool WasResetByUs(int id) => Array.IndexOf(_recentlyReset, id) >= 0;

    /// <summary>Rapid-reset guard (CVE-2023-44487): too many resets or refusals per second end the connection.</summary>
    private void CountReset()
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_resetWindowStart, now) > TimeSpan.FromSeconds(1))
        {
            _resetWindowStart = now;
            _resetsInWindow = 0;
        }

        if (++_resetsInWindow > _limits.MaxResetStreamsPerSecond)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.EnhanceYourCalm, "too many streams reset or refused");
        }
    }
}
