using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session;

// Frame receipt: parsing the input into frames and applying each (RFC 9113 §4–§6).
internal abstract partial class Http2SessionCore<TStream>
{
    private byte[]? _payloadScratch;

    // A frame whose payload is still arriving at the end of the last Receive: its octets count for its stream's rate.
    private FrameType? _partialType;
    private int _partialStreamId;
    private long _partialOctets;

    /// <summary>Complete frames processed so far (a driver's measure of progress).</summary>
    public long FramesReceived { get; private set; }

    /// <summary>Called for every complete frame received, before it is applied (a frame trace for tools).</summary>
    public Action<FrameHeader>? FrameReceived { get; set; }

    /// <summary>When the field block still arriving began to (a timestamp), or 0 when none is (§4.3: it may not be interrupted).</summary>
    protected long FieldBlockStartedAt { get; private set; }

    /// <summary>
    /// Processes every whole frame in <paramref name="input"/> and returns how many octets were
    /// consumed; the rest (a partial frame) must be offered again with more octets appended.
    /// After a connection error everything is consumed and discarded.
    /// </summary>
    public long Receive(in ReadOnlySequence<byte> input)
    {
        AssertOwner();
        if (IsClosed)
        {
            return input.Length;
        }

        long consumed = 0;
        _partialType = null;
        try
        {
            int preface = ReadPreface(input);
            if (preface < 0)
            {
                return IsClosed ? input.Length : 0;
            }

            consumed = preface;
            while (!IsClosed && !IsInputPaused)
            {
                ReadOnlySequence<byte> rest = input.Slice(consumed);
                if (!FrameReader.TryReadHeader(rest, out FrameHeader header))
                {
                    break;
                }

                if (FrameReader.IsTooLarge(header, LocalSettings.MaxFrameSize, out FrameError tooLarge))
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
            // A bug here or in the application's handler must not kill the process or leave the peer hanging.
            Logger.LogError(ex, "HTTP/2 session failed while processing input");
            ConnectionError(FrameError.Connection(Http2ErrorCode.InternalError, "internal error"));
        }

        return IsClosed ? input.Length : consumed;
    }

    /// <summary>Octets of a DATA frame for <paramref name="streamId"/> received so far but not yet complete.</summary>
    protected long PartialDataOctets(int streamId) =>
        _partialType == FrameType.Data && _partialStreamId == streamId ? _partialOctets : 0;

    private void NotePartialFrame(FrameHeader header, long payloadOctets)
    {
        _partialType = header.Type;
        _partialStreamId = header.StreamId;
        _partialOctets = payloadOctets;
        if (header.Type is FrameType.Headers or FrameType.Continuation && FieldBlockStartedAt == 0)
        {
            FieldBlockStartedAt = Time.GetTimestamp();
        }
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
        FrameReceived?.Invoke(header);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            SessionLog.FrameIn(Logger, header);
        }

        if (_assembler.Interrupts(header, out FrameError error))
        {
            ConnectionError(error);
            return;
        }

        // §3.4: the peer's preface is (a server's) or ends with (a client's) a SETTINGS frame.
        if (!SettingsReceived && (header.Type != FrameType.Settings || header.HasFlag(FrameFlags.Ack)))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "SETTINGS must be the first frame of the connection preface (§3.4)"));
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
                case FrameType.PushPromise: OnPushPromise(); break;
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

        if (!_assembler.IsOpen)
        {
            FieldBlockStartedAt = 0;
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

        if (Streams.TryGetValue(id, out TStream? stream))
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

        if (!Streams.TryGetValue(id, out TStream? stream))
        {
            ReturnConnectionCredit(length);
            OnFrameForClosedStream(id, FrameType.Data);
            return;
        }

        if (!CheckCanReceive(stream, FrameType.Data))
        {
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
        stream.ReceivedDataClock.Add(data.Length);
        if (stream.ExpectedContentLength is long expected
            && (stream.ReceivedLength > expected || (endStream && stream.ReceivedLength != expected)))
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, $"content-length {expected} does not match the DATA received (§8.1.1)");
            return;
        }

        OnStreamData(stream, data, frame.PaddingLength, endStream);
    }

    private void OnRstStream(in Http2Frame frame)
    {
        int id = frame.StreamId;
        if (IsIdle(id))
        {
            ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, $"RST_STREAM on idle stream {id} (§5.1)"));
            return;
        }

        if (!Streams.TryGetValue(id, out TStream? stream))
        {
            return; // already closed: nothing to do.
        }

        Http2ErrorCode errorCode = frame.ErrorCode;
        SessionLog.StreamResetByPeer(Logger, id, errorCode);
        Apply(stream, StreamEvent.ReceiveReset, errorCode);
        WithinRate(RateLimitedEvent.Reset);
    }

    private void OnPing(in Http2Frame frame)
    {
        if (frame.IsAck)
        {
            OnPingAck(frame.PingData);
        }
        else if (WithinRate(RateLimitedEvent.Ping))
        {
            FrameWriter.WritePing(Output, frame.PingData, ack: true);
        }
    }

    private void OnGoAway(in Http2Frame frame)
    {
        int lastStreamId = FrameReader.ReadGoAway(frame.Payload, out Http2ErrorCode errorCode, out ReadOnlySpan<byte> debug);
        SessionLog.GoAwayReceived(Logger, lastStreamId, errorCode);
        PeerGoAwayReceived = true;
        CloseReason ??= $"GOAWAY {errorCode} (last stream {lastStreamId})" + (debug.IsEmpty ? "" : ": " + DebugText(debug));
        OnPeerGoAway(lastStreamId, errorCode, debug);
    }

    /// <summary>GOAWAY debug data as text (§6.8: opaque, usually ASCII), at most 256 octets of it.</summary>
    protected static string DebugText(ReadOnlySpan<byte> debugData) =>
        System.Text.Encoding.ASCII.GetString(debugData[..Math.Min(debugData.Length, 256)]);

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

        if (!Streams.TryGetValue(id, out TStream? stream))
        {
            return; // §6.9: may arrive after the stream closed.
        }

        // Applied in every state, half-closed (local) included: the answer must not depend on whether our
        // message happened to be complete already.
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

    /// <summary>
    /// §5.1, §5.4.2: DATA or HEADERS on a stream that is no longer open. Frames after our own RST_STREAM are
    /// ignored; after the peer's END_STREAM they are a connection error STREAM_CLOSED — the same answer
    /// whether the stream is still half-closed (remote) or our side has finished meanwhile; after the
    /// peer's RST_STREAM, or on a stream closed too long ago to remember, a stream error STREAM_CLOSED.
    /// </summary>
    protected void OnFrameForClosedStream(int id, FrameType type)
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

        ResetUnopened(id, Http2ErrorCode.StreamClosed, $"{type} on closed stream {id} (§5.1)");
    }

    /// <summary>
    /// §5.1: DATA or HEADERS after the peer's END_STREAM, on a stream still half-closed (remote), is the connection
    /// error STREAM_CLOSED that it is once the stream has closed (see <see cref="OnFrameForClosedStream"/>). False then.
    /// </summary>
    protected bool CheckCanReceive(TStream stream, FrameType type)
    {
        if (StreamStateMachine.CanReceive(stream.State))
        {
            return true;
        }

        ConnectionError(AfterEndStream(type, stream.Id));
        return false;
    }

    private static FrameError AfterEndStream(FrameType type, int id) =>
        FrameError.Connection(Http2ErrorCode.StreamClosed, $"{type} on stream {id} after its END_STREAM (§5.1)");

    private bool IsIgnoredAfterOurReset(int id) =>
        _closedStreams.Lookup(id, out StreamCloseReason reason) == ClosedStreams.Knowledge.Known
        && reason is StreamCloseReason.ResetByUs or StreamCloseReason.Refused;
}
