using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session;

// Frame receipt: parsing the input into frames and applying each (RFC 9113 §4–§6).
public sealed partial class Http2Session
{
    private byte[]? _payloadScratch;
    private bool _prefaceReceived;
    private bool _settingsReceived;
    private bool _closed;
    private bool _goAwaySent;
    private int _goAwayLastStreamId;
    private bool _peerGoAwayReceived;
    private int _lastClientStreamId;
    private long _pingSentAt;
    private ulong _pingPayload;

    /// <summary>
    /// Processes every whole frame in <paramref name="input"/> and returns how many octets were
    /// consumed; the rest (a partial frame) must be offered again with more octets appended.
    /// After a connection error everything is consumed and discarded.
    /// </summary>
    public long Receive(in ReadOnlySequence<byte> input)
    {
        if (_closed)
        {
            return input.Length;
        }

        long consumed = 0;
        try
        {
            if (!_prefaceReceived)
            {
                if (!TryReadPreface(input))
                {
                    return 0;
                }

                consumed = Http2Constants.ClientPreface.Length;
            }

            while (!_closed && !IsInputPaused)
            {
                ReadOnlySequence<byte> rest = input.Slice(consumed);
                if (!FrameReader.TryReadHeader(rest, out FrameHeader header))
                {
                    break;
                }

                // §4.2: checked before the payload is buffered.
                if (header.PayloadLength > _limits.MaxFrameSize)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError,
                        $"{header.Type} frame of {header.PayloadLength} octets exceeds SETTINGS_MAX_FRAME_SIZE {_limits.MaxFrameSize}");
                }

                if (rest.Length < Http2Constants.FrameHeaderLength + header.PayloadLength)
                {
                    break;
                }

                ReadOnlySequence<byte> payload = rest.Slice(Http2Constants.FrameHeaderLength, header.PayloadLength);
                consumed += Http2Constants.FrameHeaderLength + header.PayloadLength;
                ProcessFrame(header, payload.IsSingleSegment ? payload.FirstSpan : CopyToScratch(payload));
            }
        }
        catch (Http2ProtocolException ex)
        {
            ConnectionError(ex.ErrorCode, ex.Message);
            return input.Length;
        }
        catch (Exception ex)
        {
            // A bug here or in the application handler must not kill the process or leave the peer hanging.
            _logger.LogError(ex, "HTTP/2 session failed while processing input");
            ConnectionError(Http2ErrorCode.InternalError, "internal error");
            return input.Length;
        }

        return consumed;
    }

    private bool TryReadPreface(in ReadOnlySequence<byte> input)
    {
        ReadOnlySpan<byte> preface = Http2Constants.ClientPreface;
        Span<byte> received = stackalloc byte[preface.Length];
        int available = (int)Math.Min(input.Length, preface.Length);
        input.Slice(0, available).CopyTo(received);

        // Fail as soon as the octets diverge, e.g. an HTTP/1.1 request sent to an h2c port.
        if (!received[..available].SequenceEqual(preface[..available]))
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "invalid connection preface");
        }

        if (available < preface.Length)
        {
            return false;
        }

        _prefaceReceived = true;
        Start();
        return true;
    }

    private ReadOnlySpan<byte> CopyToScratch(in ReadOnlySequence<byte> payload)
    {
        if (_payloadScratch is null || _payloadScratch.Length < payload.Length)
        {
            if (_payloadScratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_payloadScratch);
            }

            _payloadScratch = ArrayPool<byte>.Shared.Rent(Math.Max((int)payload.Length, Http2Constants.DefaultMaxFrameSize));
        }

        payload.CopyTo(_payloadScratch);
        return _payloadScratch.AsSpan(0, (int)payload.Length);
    }

    /// <summary>Complete frames processed so far (a driver's measure of progress, e.g. for idle timeouts).</summary>
    public long FramesReceived { get; private set; }

    private void ProcessFrame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        FramesReceived++;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SessionLog.FrameIn(_logger, header);
        }

        // §6.10: a header block is contiguous; nothing may interleave.
        if (_headerStreamId != 0 && header.Type != FrameType.Continuation)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError,
                $"{header.Type} frame while a header block on stream {_headerStreamId} awaits CONTINUATION");
        }

        // §3.4: the preface is followed by SETTINGS.
        if (!_settingsReceived && (header.Type != FrameType.Settings || header.HasFlag(FrameFlags.Ack)))
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "the first frame after the preface must be SETTINGS");
        }

        try
        {
            switch (header.Type)
            {
                case FrameType.Data: OnData(header, payload); break;
                case FrameType.Headers: OnHeaders(header, payload); break;
                case FrameType.Priority: OnPriority(header, payload); break;
                case FrameType.RstStream: OnRstStream(header, payload); break;
                case FrameType.Settings: OnSettings(header, payload); break;
                case FrameType.PushPromise:
                    throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "PUSH_PROMISE from a client (§8.4)");
                case FrameType.Ping: OnPing(header, payload); break;
                case FrameType.GoAway: OnGoAway(header, payload); break;
                case FrameType.WindowUpdate: OnWindowUpdate(header, payload); break;
                case FrameType.Continuation: OnContinuation(header, payload); break;
                default: break; // §4.1, §5.5: unknown types (and ALTSVC, meaningless to a server) are ignored.
            }
        }
        catch (Http2ProtocolException ex) when (!ex.IsConnectionError)
        {
            StreamError(ex.StreamId, ex.ErrorCode, ex.Message);
        }
        catch (HPackDecodingException ex)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.CompressionError, "HPACK: " + ex.Message);
        }
    }

    private void OnData(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        int id = header.StreamId;
        if (id == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "DATA on stream 0");
        }

        ReadOnlySpan<byte> data = RemovePadding(header, payload, "DATA");

        // §6.9.1: the whole payload, padding included, counts against both windows.
        if (!_connectionReceiveWindow.TryConsume(payload.Length))
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FlowControlError, "DATA exceeds the connection window");
        }

        if (!_streams.TryGetValue(id, out Http2Stream? stream))
        {
            ReturnConnectionCredit(payload.Length);
            ThrowIfIdle(id, "DATA");
            if (WasResetByUs(id))
            {
                return; // §5.4.2: frames in flight after our RST_STREAM are ignored.
            }

            throw Http2ProtocolException.Stream(id, Http2ErrorCode.StreamClosed, "DATA on a closed stream");
        }

        if (!StreamStateMachine.CanReceive(stream.State))
        {
            ReturnConnectionCredit(payload.Length);
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.StreamClosed, "DATA after END_STREAM");
        }

        if (!stream.ReceiveWindow.TryConsume(payload.Length))
        {
            ReturnConnectionCredit(payload.Length);
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.FlowControlError, "DATA exceeds the stream window");
        }

        bool endStream = header.HasFlag(FrameFlags.EndStream);
        stream.ReceivedLength += data.Length;
        if (stream.ExpectedContentLength is long expected
            && (stream.ReceivedLength > expected || (endStream && stream.ReceivedLength != expected)))
        {
            ReturnConnectionCredit(payload.Length);
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError,
                $"content-length {expected} does not match the DATA received (§8.1.1)");
        }

        // Padding is never seen by the application: its credit goes back at once.
        int padding = payload.Length - data.Length;
        if (padding > 0)
        {
            ReturnConnectionCredit(padding);
            ReturnStreamCredit(stream, padding);
        }

        stream.Unacknowledged += data.Length;

        // §5.1: half-closed (remote) before the application hears of it, as it may respond from inside the call.
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }

        _handler.OnRequestData(id, data, endStream);
    }

    private static ReadOnlySpan<byte> RemovePadding(FrameHeader header, ReadOnlySpan<byte> payload, string frame)
    {
        if (FrameReader.TryRemovePadding(header, payload, out ReadOnlySpan<byte> content, out int padLength))
        {
            return content;
        }

        throw padLength < 0
            ? Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, $"padded {frame} without a Pad Length field")
            : Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"{frame} padding of {padLength} octets is not shorter than the payload (§6.1)");
    }

    private void OnPriority(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0");
        }

        if (payload.Length != 5)
        {
            throw Http2ProtocolException.Stream(header.StreamId, Http2ErrorCode.FrameSizeError, "PRIORITY payload is not 5 octets");
        }

        // §5.3.2: priority signals are parsed and otherwise ignored, in any stream state.
        if (FrameReader.ReadPriority(payload).Dependency == header.StreamId)
        {
            throw Http2ProtocolException.Stream(header.StreamId, Http2ErrorCode.ProtocolError, "stream depends on itself");
        }
    }

    private void OnRstStream(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        int id = header.StreamId;
        if (id == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "RST_STREAM on stream 0");
        }

        if (payload.Length != 4)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "RST_STREAM payload is not 4 octets");
        }

        ThrowIfIdle(id, "RST_STREAM");
        Http2ErrorCode errorCode = FrameReader.ReadRstStream(payload);
        if (!_streams.TryGetValue(id, out Http2Stream? stream))
        {
            return; // already closed: nothing to do.
        }

        SessionLog.StreamResetByPeer(_logger, id, errorCode);
        CloseStream(stream);
        stream.State = StreamState.Closed;
        if (stream.Delivered)
        {
            _handler.OnStreamReset(id, errorCode);
        }

        CountReset();
    }

    private void OnPing(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "PING on a stream");
        }

        if (payload.Length != Http2Constants.PingPayloadLength)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "PING payload is not 8 octets");
        }

        ulong opaque = FrameReader.ReadPing(payload);
        if (!header.HasFlag(FrameFlags.Ack))
        {
            FrameWriter.WritePing(_output, opaque, ack: true);
        }
        else if (_pingSentAt != 0 && opaque == _pingPayload)
        {
            LastPingRoundTrip = _time.GetElapsedTime(_pingSentAt);
            _pingSentAt = 0;
        }
    }

    private void OnGoAway(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "GOAWAY on a stream");
        }

        if (payload.Length < 8)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "GOAWAY payload shorter than 8 octets");
        }

        int lastStreamId = FrameReader.ReadGoAway(payload, out Http2ErrorCode errorCode, out _);
        SessionLog.GoAwayReceived(_logger, lastStreamId, errorCode);
        _peerGoAwayReceived = true;
        _handler.OnGoAway(lastStreamId, errorCode);
    }

    private void OnWindowUpdate(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 4)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE payload is not 4 octets");
        }

        int increment = FrameReader.ReadWindowUpdate(payload);
        int id = header.StreamId;
        if (id == 0)
        {
            if (increment == 0)
            {
                throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE with a zero increment");
            }

            if (!_connectionSendWindow.TryAdjust(increment))
            {
                throw Http2ProtocolException.Connection(Http2ErrorCode.FlowControlError, "connection window above 2^31-1");
            }

            ProduceData();
            return;
        }

        ThrowIfIdle(id, "WINDOW_UPDATE");
        if (!_streams.TryGetValue(id, out Http2Stream? stream))
        {
            return; // §6.9: may arrive after we closed the stream.
        }

        if (increment == 0)
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.ProtocolError, "WINDOW_UPDATE with a zero increment");
        }

        if (!stream.SendWindow.TryAdjust(increment))
        {
            throw Http2ProtocolException.Stream(id, Http2ErrorCode.FlowControlError, "stream window above 2^31-1");
        }

        if (stream.HasWorkToSend)
        {
            Enqueue(stream);
            ProduceData();
        }
    }

    /// <summary>§5.1: frames other than PRIORITY on a stream the client never opened are a connection error.</summary>
    private void ThrowIfIdle(int id, string frame)
    {
        if (id > _lastClientStreamId || (id & 1) == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"{frame} on idle stream {id}");
        }
    }
}
