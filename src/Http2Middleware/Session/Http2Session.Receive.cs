using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session;

// Frame receipt: parsing the input into frames and applying each (RFC 9113 §4–§6).
internal sealed partial class Http2Session
{
    private byte[]? _payloadScratch;
    private bool _prefaceReceived;
    private bool _settingsReceived;
    private bool _closed;
    private bool _goAwaySent; // the final GOAWAY: streams above _goAwayLastStreamId are ignored
    private int _goAwayLastStreamId;
    private long _shutdownAnnouncedAt; // the first GOAWAY (2^31-1) and its PING went out then
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
        AssertOwner();
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
                    return _closed ? input.Length : 0;
                }

                consumed = Http2Constants.ClientPreface.Length;
            }

            _partialType = null;
            while (!_closed && !IsInputPaused)
            {
                ReadOnlySequence<byte> rest = input.Slice(consumed);
                if (!FrameReader.TryReadHeader(rest, out FrameHeader header))
                {
                    break;
                }

                if (FrameReader.IsTooLarge(header, _localSettings.MaxFrameSize, out FrameError tooLarge))
                {
                    ConnectionError(tooLarge);
                    break;
                }

                long available = rest.Length - Http2Constants.FrameHeaderLength;
                if (available < header.PayloadLength)
                {
                    NotePartialFrame(header, available);
                    break;
                }

                ReadOnlySequence<byte> payload = rest.Slice(Http2Constants.FrameHeaderLength, header.PayloadLength);
                consumed += Http2Constants.FrameHeaderLength + header.PayloadLength;
                ProcessFrame(header, payload.IsSingleSegment ? payload.FirstSpan : CopyToScratch(payload));
            }
        }
        catch (Exception ex)
        {
            // A bug here or in the application handler must not kill the process or leave the peer hanging.
            _logger.LogError(ex, "HTTP/2 session failed while processing input");
            ConnectionError(FrameError.Connection(Http2ErrorCode.InternalError, "internal error"));
        }

        return _closed ? input.Length : consumed;
    }

    /// <summary>Complete frames processed so far (a driver's measure of progress).</summary>
    public long FramesReceived { get; private set; }

    private bool TryReadPreface(in ReadOnlySequence<byte> input)
    {
        ReadOnlySpan<byte> preface = Http2Constants.ClientPreface;
        Span<byte> received = stackalloc byte[preface.Length];
        int available = (int)Math.Min(input.Length, preface.Length);
        input.Slice(0, available).CopyTo(received);

        if (!received[..available].SequenceEqual(preface[..available]))
        {
            // An HTTP/1.1 client on an h2c port gets a response it can read; anything else is a protocol error as
            // soon as the octets diverge.
            switch (Http1RequestLine.Classify(input, out string line))
            {
                case Http1RequestLine.Kind.Incomplete:
                    return false;
                case Http1RequestLine.Kind.Request:
                    RefuseHttp1(line);
                    return false;
                default:
                    ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "invalid connection preface (§3.4)"));
                    return false;
            }
        }

        if (available < preface.Length)
        {
            return false;
        }

        _prefaceReceived = true;
        Start();
        return true;
    }

    private static readonly byte[] Http1VersionNotSupported = BuildHttp1Refusal();

    private static byte[] BuildHttp1Refusal()
    {
        const string body = "This endpoint speaks HTTP/2 only, with prior knowledge (RFC 9113 3.3): use e.g. curl --http2-prior-knowledge or nghttp.\n";
        return System.Text.Encoding.ASCII.GetBytes(
            "HTTP/1.1 505 HTTP Version Not Supported\r\ncontent-type: text/plain; charset=utf-8\r\n" +
            $"content-length: {body.Length}\r\nconnection: close\r\n\r\n{body}");
    }

    /// <summary>
    /// Answers an HTTP/1.x request with <c>505 HTTP Version Not Supported</c> in HTTP/1.1 and a line of text, then
    /// ends the connection: no SETTINGS, no GOAWAY, which an HTTP/1.1 client would show as binary noise.
    /// </summary>
    private void RefuseHttp1(string requestLine)
    {
        SessionLog.Http1Refused(_logger, requestLine);
        _closed = true;
        _output.Write(Http1VersionNotSupported);
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
        FramesReceived++;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SessionLog.FrameIn(_logger, header);
        }

        if (_assembler.Interrupts(header, out FrameError error))
        {
            ConnectionError(error);
            return;
        }

        // §3.4: the preface is followed by SETTINGS.
        if (!_settingsReceived && (header.Type != FrameType.Settings || header.HasFlag(FrameFlags.Ack)))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "the first frame after the preface must be SETTINGS (§3.4)"));
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
                case FrameType.Priority: break; // §5.3.2: parsed (and checked) above, otherwise ignored, in any state.
                case FrameType.RstStream: OnRstStream(frame); break;
                case FrameType.Settings: OnSettings(frame); break;
                case FrameType.PushPromise:
                    ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "PUSH_PROMISE from a client (§8.4)"));
                    break;
                case FrameType.Ping: OnPing(frame); break;
                case FrameType.GoAway: OnGoAway(frame); break;
                case FrameType.WindowUpdate: OnWindowUpdate(frame); break;
                case FrameType.Continuation: OnContinuation(frame); break;
                default: break; // §4.1, §5.5: unknown types (and ALTSVC, meaningless to a server) are ignored.
            }
        }
        catch (HPackDecodingException ex)
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.CompressionError, "HPACK: " + ex.Message));
        }

        if (!_assembler.IsOpen)
        {
            _headersStartedAt = 0;
        }
    }

    /// <summary>A frame that broke a rule of its type; stream errors still depend on the stream's state.</summary>
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
            // §5.1: only HEADERS and PRIORITY may arrive on an idle stream.
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"{header.Type} on idle stream {id} (§5.1)"));
            return;
        }

        if (_streams.TryGetValue(id, out Http2Stream? stream))
        {
            StreamError(stream, error.Code, error.Reason);
        }
        else if (header.Type == FrameType.Priority || !IsIgnoredAfterOurReset(id))
        {
            // PRIORITY is valid in every state, so its errors always get RST_STREAM (h2spec 5.3.1, 6.3).
            ResetUnopened(id, error.Code, error.Reason);
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

        if (!_streams.TryGetValue(id, out Http2Stream? stream))
        {
            ReturnConnectionCredit(length);
            OnFrameForClosedStream(id, FrameType.Data);
            return;
        }

        if (!StreamStateMachine.CanReceive(stream.State))
        {
            ConnectionError(AfterEndStream(FrameType.Data, id));
            return;
        }

        if (!stream.Inbound.TryReceive(length))
        {
            ReturnConnectionCredit(length);
            StreamError(stream, Http2ErrorCode.FlowControlError, "DATA exceeds the stream window (§6.9.1)");
            return;
        }

        ReadOnlySpan<byte> data = frame.Content;
        bool endStream = frame.EndStream;
        stream.ReceivedLength += data.Length;
        stream.RequestBodyClock.Add(data.Length);
        if (stream.ExpectedContentLength is long expected
            && (stream.ReceivedLength > expected || (endStream && stream.ReceivedLength != expected)))
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, $"content-length {expected} does not match the DATA received (§8.1.1)");
            return;
        }

        if (_limits.MaxRequestBodySize is long max && stream.ReceivedLength > max)
        {
            // §8.1: after a complete response (our own 413 included) only NO_ERROR, so the client keeps the response.
            bool responded = stream.State == StreamState.HalfClosedLocal;
            ResetByUs(stream, responded ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel, $"request body larger than MaxRequestBodySize {max}");
            return;
        }

        if (stream.BodyAbandoned)
        {
            // Nobody reads it: the connection gets its credit back, the stream does not (§8.1).
            ReturnConnectionCredit(stream.Inbound.Discard());
        }
        else if (frame.PaddingLength > 0)
        {
            // Padding is never seen by the application: its credit goes back at once.
            ReleaseCredit(stream, frame.PaddingLength);
        }

        // §5.1: half-closed (remote) before the application hears of it, as it may respond from inside the call.
        bool deliver = !stream.BodyAbandoned;
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }
        else
        {
            ResetIfBodyUnwanted(stream);
        }

        if (deliver)
        {
            _handler.OnRequestData(id, data, endStream);
        }
    }

    private void OnRstStream(in Http2Frame frame)
    {
        int id = frame.StreamId;
        if (IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"RST_STREAM on idle stream {id} (§5.1)"));
            return;
        }

        if (!_streams.TryGetValue(id, out Http2Stream? stream))
        {
            return; // already closed: nothing to do.
        }

        Http2ErrorCode errorCode = frame.ErrorCode;
        SessionLog.StreamResetByPeer(_logger, id, errorCode);
        Apply(stream, StreamEvent.ReceiveReset, errorCode);
        CountReset();
    }

    private void OnPing(in Http2Frame frame)
    {
        ulong opaque = frame.PingData;
        if (frame.IsAck)
        {
            if (opaque == ShutdownPingPayload && _shutdownAnnouncedAt != 0)
            {
                SendFinalGoAway(); // every stream the client opened before our first GOAWAY has arrived
                return;
            }

            if (_pingSentAt != 0 && opaque == _pingPayload)
            {
                LastPingRoundTrip = _time.GetElapsedTime(_pingSentAt);
                _pingSentAt = 0;
            }

            return;
        }

        if (!_pings.TryTake(_time.GetTimestamp(), _time))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.EnhanceYourCalm, $"more than {_limits.MaxPingsPerSecond} PINGs per second"));
            return;
        }

        FrameWriter.WritePing(_output, opaque, ack: true);
    }

    private void OnGoAway(in Http2Frame frame)
    {
        int lastStreamId = frame.LastStreamId;
        Http2ErrorCode errorCode = frame.ErrorCode;
        SessionLog.GoAwayReceived(_logger, lastStreamId, errorCode);
        _peerGoAwayReceived = true;
        _handler.OnGoAway(lastStreamId, errorCode);
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

        if (!_streams.TryGetValue(id, out Http2Stream? stream))
        {
            return; // §6.9: may arrive after the stream closed.
        }

        // Applied in every state, half-closed (local) included: the answer must not depend on whether our
        // response happened to be complete already.
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

    /// <summary>§5.1: a stream id the client has not opened yet (or an even one, which it never may).</summary>
    private bool IsIdle(int id) => id > _lastClientStreamId || (id & 1) == 0;

    /// <summary>
    /// §5.1, §5.4.2: DATA or HEADERS on a stream that is no longer open. Frames after our own RST_STREAM are
    /// ignored; after the client's END_STREAM they are a connection error STREAM_CLOSED — the same answer
    /// whether the stream is still half-closed (remote) or our response has finished meanwhile; after the
    /// client's RST_STREAM, or on a stream closed too long ago to remember, a stream error STREAM_CLOSED.
    /// </summary>
    private void OnFrameForClosedStream(int id, FrameType type)
    {
        if (IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"{type} on idle stream {id} (§5.1)"));
            return;
        }

        ClosedStreams.Knowledge knowledge = _closedStreams.Lookup(id, out StreamCloseReason reason);
        if (knowledge == ClosedStreams.Knowledge.Known && reason is StreamCloseReason.ResetByUs or StreamCloseReason.Refused)
        {
            return;
        }

        if (knowledge == ClosedStreams.Knowledge.Known && reason == StreamCloseReason.Ended)
        {
            ConnectionError(AfterEndStream(type, id));
            return;
        }

        if (knowledge == ClosedStreams.Knowledge.NeverUsed && type == FrameType.Headers)
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"stream id {id} is not greater than {_lastClientStreamId} (§5.1.1)"));
            return;
        }

        ResetUnopened(id, Http2ErrorCode.StreamClosed, $"{type} on closed stream {id} (§5.1)");
    }

    private static FrameError AfterEndStream(FrameType type, int id) =>
        FrameError.Connection(Http2ErrorCode.StreamClosed, $"{type} on stream {id} after its END_STREAM (§5.1)");

    private bool IsIgnoredAfterOurReset(int id) =>
        _closedStreams.Lookup(id, out StreamCloseReason reason) == ClosedStreams.Knowledge.Known
        && reason is StreamCloseReason.ResetByUs or StreamCloseReason.Refused;

    private void NotePartialFrame(FrameHeader header, long payloadOctets)
    {
        _partialType = header.Type;
        _partialStreamId = header.StreamId;
        _partialOctets = payloadOctets;
        if (header.Type is FrameType.Headers or FrameType.Continuation && _headersStartedAt == 0)
        {
            _headersStartedAt = _time.GetTimestamp();
        }
    }

    // A frame whose payload is still arriving: its octets count for the data rate of its stream.
    private FrameType? _partialType;
    private int _partialStreamId;
    private long _partialOctets;
}
