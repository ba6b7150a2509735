using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session.Client;

// Frame receipt on the client side (RFC 9113 §4–§6): the shared codec, the client's reading of each frame.
internal sealed partial class Http2ClientSession
{
    private byte[]? _payloadScratch;
    private bool _settingsReceived;
    private bool _closed;
    private bool _goAwaySent;
    private bool _goAwayReceived;
    private int _goAwayLastStreamId;

    /// <summary>Called for every complete frame received, before it is applied (a frame trace for tools).</summary>
    public Action<FrameHeader>? FrameReceived { get; set; }

    /// <summary>
    /// Processes every whole frame in <paramref name="input"/> and returns how many octets were consumed; the
    /// rest (a partial frame) must be offered again with more octets appended. After a connection error
    /// everything is consumed and discarded.
    /// </summary>
    public long Receive(in ReadOnlySequence<byte> input)
    {
        AssertOwner();
        if (_closed)
        {
            return input.Length;
        }

        Start();
        long consumed = 0;
        try
        {
            // No input pause as on the server: what a client queues while reading is small (ACKs, WINDOW_UPDATEs).
            while (!_closed)
            {
                ReadOnlySequence<byte> rest = input.Slice(consumed);
                if (!FrameReader.TryReadHeader(rest, out FrameHeader header))
                {
                    break;
                }

                if (FrameReader.IsTooLarge(header, _limits.MaxFrameSize, out FrameError tooLarge))
                {
                    ConnectionError(tooLarge);
                    break;
                }

                if (rest.Length - Http2Constants.FrameHeaderLength < header.PayloadLength)
                {
                    break;
                }

                ReadOnlySequence<byte> payload = rest.Slice(Http2Constants.FrameHeaderLength, header.PayloadLength);
                consumed += Http2Constants.FrameHeaderLength + header.PayloadLength;
                ProcessFrame(header, payload.IsSingleSegment ? payload.FirstSpan : CopyToScratch(payload));
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "HTTP/2 client session failed while processing input");
            ConnectionError(FrameError.Connection(Http2ErrorCode.InternalError, "internal error"));
        }

        return _closed ? input.Length : consumed;
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

    private void ProcessFrame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        FrameReceived?.Invoke(header);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SessionLog.FrameIn(_logger, header);
        }

        if (_assembler.Interrupts(header, out FrameError error))
        {
            ConnectionError(error);
            return;
        }

        // §3.4: the server connection preface is a SETTINGS frame.
        if (!_settingsReceived && (header.Type != FrameType.Settings || header.HasFlag(FrameFlags.Ack)))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "the server preface must be SETTINGS (§3.4)"));
            return;
        }

        if (!FrameReader.TryDecode(header, payload, out Http2Frame frame, out error))
        {
            OnInvalidFrame(header, error);
            return;
        }

        try
        {
            switch (header.Type)
            {
                case FrameType.Data: OnData(frame); break;
                case FrameType.Headers: OnHeaders(frame); break;
                case FrameType.Priority: break; // §5.3.2: ignored in any state.
                case FrameType.RstStream: OnRstStream(frame); break;
                case FrameType.Settings: OnSettings(frame); break;
                case FrameType.PushPromise:
                    // §6.6, §8.4: we sent SETTINGS_ENABLE_PUSH 0, so a promise is a connection error PROTOCOL_ERROR.
                    ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0 (§6.6)"));
                    break;
                case FrameType.Ping: OnPing(frame); break;
                case FrameType.GoAway: OnGoAway(frame); break;
                case FrameType.WindowUpdate: OnWindowUpdate(frame); break;
                case FrameType.Continuation: OnContinuation(frame); break;
                default: break; // §4.1, §5.5: unknown types (and ALTSVC) are ignored.
            }
        }
        catch (HPackDecodingException ex)
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.CompressionError, "HPACK: " + ex.Message));
        }
    }

    private void OnInvalidFrame(FrameHeader header, FrameError error)
    {
        if (error.IsConnectionError)
        {
            ConnectionError(error);
            return;
        }

        int id = error.StreamId;
        if (header.Type != FrameType.Priority && IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"{header.Type} on idle stream {id} (§5.1)"));
            return;
        }

        if (_streams.TryGetValue(id, out Http2ClientStream? stream))
        {
            StreamError(stream, error.Code, error.Reason);
        }
        else
        {
            FrameWriter.WriteRstStream(_output, id, error.Code);
        }
    }

    private void OnData(in Http2Frame frame)
    {
        int id = frame.StreamId;
        int length = frame.Payload.Length;

        // §6.9.1: the whole payload, padding included, counts against both windows.
        if (!_connectionInbound.TryReceive(length))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.FlowControlError, "DATA exceeds the connection window (§6.9.1)"));
            return;
        }

        if (!_streams.TryGetValue(id, out Http2ClientStream? stream))
        {
            ReturnConnectionCredit(length);
            OnFrameForClosedStream(id, FrameType.Data);
            return;
        }

        if (!StreamStateMachine.CanReceive(stream.State))
        {
            ReturnConnectionCredit(length);
            StreamError(stream, Http2ErrorCode.StreamClosed, $"DATA on stream {id} after its END_STREAM (§5.1)");
            return;
        }

        if (!stream.Inbound.TryReceive(length))
        {
            ReturnConnectionCredit(length);
            StreamError(stream, Http2ErrorCode.FlowControlError, "DATA exceeds the stream window (§6.9.1)");
            return;
        }

        if (!stream.ResponseStarted)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "DATA before the response's HEADERS (§8.1)");
            return;
        }

        ReadOnlySpan<byte> data = frame.Content;
        bool endStream = frame.EndStream;
        stream.ReceivedLength += data.Length;
        if (stream.ExpectedContentLength is long expected
            && (stream.ReceivedLength > expected || (endStream && stream.ReceivedLength != expected)))
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, $"content-length {expected} does not match the DATA received (§8.1.1)");
            return;
        }

        if (frame.PaddingLength > 0)
        {
            ReleaseCredit(stream, frame.PaddingLength); // the application never sees padding
        }

        if (endStream)
        {
            Apply(stream, StreamEvent.ReceiveEndStream);
        }

        _handler.OnResponseData(id, data, endStream);
    }

    private void OnRstStream(in Http2Frame frame)
    {
        int id = frame.StreamId;
        if (IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"RST_STREAM on idle stream {id} (§5.1)"));
            return;
        }

        if (_streams.TryGetValue(id, out Http2ClientStream? stream))
        {
            SessionLog.StreamResetByPeer(_logger, id, frame.ErrorCode);
            Apply(stream, StreamEvent.ReceiveReset, frame.ErrorCode);
        }
    }

    private void OnPing(in Http2Frame frame)
    {
        if (!frame.IsAck)
        {
            FrameWriter.WritePing(_output, frame.PingData, ack: true);
        }
    }

    private void OnGoAway(in Http2Frame frame)
    {
        int lastStreamId = FrameReader.ReadGoAway(frame.Payload, out Http2ErrorCode errorCode, out ReadOnlySpan<byte> debug);
        string debugText = System.Text.Encoding.ASCII.GetString(debug[..Math.Min(debug.Length, 256)]);
        SessionLog.GoAwayReceived(_logger, lastStreamId, errorCode);

        // §6.8: the last stream id may only shrink across GOAWAYs.
        _goAwayLastStreamId = _goAwayReceived ? Math.Min(_goAwayLastStreamId, lastStreamId) : lastStreamId;
        _goAwayReceived = true;
        CloseReason ??= $"GOAWAY {errorCode} (last stream {lastStreamId})" + (debugText.Length > 0 ? ": " + debugText : "");

        // Streams above the last id were not processed and will not be: they may be retried elsewhere.
        RefuseWaiting(Http2ErrorCode.RefusedStream);
        foreach (Http2ClientStream stream in SnapshotStreams())
        {
            if (stream.Id > _goAwayLastStreamId)
            {
                CloseStream(stream, StreamCloseReason.Refused, Http2ErrorCode.RefusedStream, notify: true, refused: true);
            }
        }

        _handler.OnGoAway(lastStreamId, errorCode, debugText);
    }

    private void OnWindowUpdate(in Http2Frame frame)
    {
        int increment = frame.WindowIncrement;
        int id = frame.StreamId;
        if (id == 0)
        {
            if (!_connectionOutbound.TryGrow(increment))
            {
                ConnectionError(FrameError.Connection(Http2ErrorCode.FlowControlError, "connection window above 2^31-1 (§6.9.1)"));
                return;
            }

            ProduceData();
            return;
        }

        if (IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"WINDOW_UPDATE on idle stream {id} (§5.1)"));
            return;
        }

        if (!_streams.TryGetValue(id, out Http2ClientStream? stream))
        {
            return; // §6.9: may arrive after the stream closed.
        }

        if (!stream.Outbound.TryGrow(increment))
        {
            StreamError(stream, Http2ErrorCode.FlowControlError, "stream window above 2^31-1 (§6.9.1)");
            return;
        }

        if (stream.HasWorkToSend)
        {
            Enqueue(stream);
            ProduceData();
        }
    }

    /// <summary>§5.1: a stream we have not opened yet — or an even one, which only a promise could open, and we allow none.</summary>
    private bool IsIdle(int id) => (id & 1) == 0 || id > _lastSentStreamId;

    /// <summary>§5.1: DATA or HEADERS on a stream that is no longer open; ignored after our own RST_STREAM (§5.4.2).</summary>
    private void OnFrameForClosedStream(int id, FrameType type)
    {
        if (IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"{type} on idle stream {id} (§5.1)"));
            return;
        }

        if (_closedStreams.Lookup(id, out StreamCloseReason reason) == ClosedStreams.Knowledge.Known
            && reason is StreamCloseReason.ResetByUs or StreamCloseReason.Refused)
        {
            return;
        }

        SessionLog.StreamError(_logger, id, Http2ErrorCode.StreamClosed, $"{type} on closed stream {id} (§5.1)");
        FrameWriter.WriteRstStream(_output, id, Http2ErrorCode.StreamClosed);
    }
}
