using System.Buffers.Binary;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Parses everything the session sent, in order, as the client would, and checks that it is a valid frame sequence:
/// 9-octet headers, lengths within the SETTINGS_MAX_FRAME_SIZE in force (16384 until the server acknowledged a larger
/// one), only frame types a server sends, per-type lengths, flags and stream ids, SETTINGS first and every ACK
/// matching a client SETTINGS, PING ACKs echoing a client PING, nothing after a GOAWAY with an error code, GOAWAY
/// last stream ids never growing, well-formed field blocks that decode, per-stream order (HEADERS before DATA,
/// nothing after END_STREAM or RST_STREAM), DATA within the client's windows and WINDOW_UPDATE credit never more than
/// the DATA the client sent.
/// </summary>
internal sealed class ServerOutputChecker(Http2Limits limits, ConsumedInput input)
{
    private readonly FrameBuffer _partial = new();
    private readonly ResponseHeaderBlocks _blocks = new();
    private readonly Dictionary<int, StreamView> _streams = [];
    private int _frames;
    private int _peerMaxFrameSize = Http2Constants.DefaultMaxFrameSize;
    private long _peerInitialWindow = Http2Constants.DefaultInitialWindowSize;
    private long _dataSent;
    private long _connectionCredit;
    private int? _lastGoAwayStreamId;

    /// <summary>The GOAWAY error code of a connection error, once sent.</summary>
    public Http2ErrorCode? ConnectionError { get; private set; }

    public bool GracefulGoAwaySent { get; private set; }

    /// <summary>Connection WINDOW_UPDATE increments the server sent, its initial raise included.</summary>
    public long ConnectionCredit => _connectionCredit;

    /// <summary>RST_STREAM error codes the server sent, for the stricter checks of valid conversations.</summary>
    public List<(int StreamId, Http2ErrorCode Code)> Resets { get; } = [];

    public string? ConnectionErrorReason { get; private set; }

    /// <summary>Octets of a frame not complete yet (the driver wrote part of the output).</summary>
    public int PartialOctets => _partial.Length;

    public void Append(ReadOnlySpan<byte> output)
    {
        _partial.Append(output);
        while (_partial.TryRead(out Frame? frame))
        {
            InvariantViolation.Check(!frame.ReservedBit, $"frame {_frames} ({frame}) has the reserved bit set (§4.1)");
            Check(frame);
            _frames++;
        }
    }

    /// <summary>The output ends here (all of it written): no frame may be cut off, no field block left open.</summary>
    public void CheckComplete()
    {
        InvariantViolation.Check(_partial.Length == 0, $"the output ends inside a frame ({_partial.Length} octets)");
        InvariantViolation.Check(_blocks.OpenStreamId == 0, $"the output ends inside the field block of stream {_blocks.OpenStreamId}");
    }

    private void Check(Frame frame)
    {
        ReadOnlySpan<byte> payload = frame.Payload;
        string name = $"frame {_frames} ({frame})";
        InvariantViolation.Check(ConnectionError is null, $"{name} after GOAWAY {ConnectionError}: nothing may follow a connection error (§5.4.1)");
        InvariantViolation.Check(_frames > 0 || (frame.Type == FrameType.Settings && !frame.HasFlag(FrameFlags.Ack)), $"{name}: the server's first frame must be SETTINGS (§3.4)");
        InvariantViolation.Check(payload.Length <= _peerMaxFrameSize, $"{name} exceeds the client's SETTINGS_MAX_FRAME_SIZE {_peerMaxFrameSize} (§4.2)");
        InvariantViolation.Check(_blocks.OpenStreamId == 0 || frame.Type == FrameType.Continuation, $"{name} inside the field block of stream {_blocks.OpenStreamId} (§6.10)");

        int id = frame.StreamId;
        switch (frame.Type)
        {
            case FrameType.Data:
                CheckFlags(frame, FrameFlags.EndStream);
                StreamView data = ResponseStream(id, name);
                InvariantViolation.Check(data.HeadersSent && !data.Ended && !data.Reset, $"{name}: DATA needs response HEADERS and an open stream ({data})");
                _dataSent += payload.Length;
                data.DataSent += payload.Length;
                if (!payload.IsEmpty)
                {
                    // An empty DATA frame (END_STREAM) needs no window, even one that SETTINGS made negative (§6.9.2).
                    InvariantViolation.Check(_dataSent <= Http2Constants.DefaultInitialWindowSize + input.ConnectionIncrements,
                        $"{name}: {_dataSent} DATA octets exceed the connection window the client granted ({Http2Constants.DefaultInitialWindowSize} + {input.ConnectionIncrements}) (§6.9.1)");
                    long streamWindow = _peerInitialWindow + input.StreamIncrements.GetValueOrDefault(id);
                    InvariantViolation.Check(data.DataSent <= streamWindow, $"{name}: {data.DataSent} DATA octets exceed the stream window the client granted ({streamWindow}) (§6.9.1)");
                }

                data.Ended = frame.HasFlag(FrameFlags.EndStream);
                break;
            case FrameType.Headers:
                CheckFlags(frame, FrameFlags.EndStream | FrameFlags.EndHeaders);
                StreamView stream = ResponseStream(id, name);
                InvariantViolation.Check(!stream.Ended && !stream.Reset, $"{name}: HEADERS on a stream the server ended ({stream})");
                bool trailers = stream.HeadersSent;
                InvariantViolation.Check(!trailers || frame.HasFlag(FrameFlags.EndStream), $"{name}: trailers must end the stream (§8.1)");
                stream.HeadersSent = true;
                stream.Ended = frame.HasFlag(FrameFlags.EndStream);
                _blocks.OnHeaders(frame, trailers);
                break;
            case FrameType.Continuation:
                CheckFlags(frame, FrameFlags.EndHeaders);
                _blocks.OnContinuation(frame);
                break;
            case FrameType.RstStream:
                CheckShape(frame, name, id != 0 && payload.Length == 4);
                CheckFlags(frame, FrameFlags.None);
                Resets.Add((id, frame.ErrorCode));
                if (_streams.TryGetValue(id, out StreamView? reset))
                {
                    reset.Reset = true;
                }

                break;
            case FrameType.Settings:
                CheckFlags(frame, FrameFlags.Ack);
                CheckShape(frame, name, id == 0 && (frame.HasFlag(FrameFlags.Ack) ? payload.IsEmpty : payload.Length % 6 == 0));
                InvariantViolation.Check(frame.HasFlag(FrameFlags.Ack) == (_frames > 0), $"{name}: the server sends one SETTINGS, first; later ones are ACKs");
                if (frame.HasFlag(FrameFlags.Ack))
                {
                    InvariantViolation.Check(input.UnacknowledgedSettings.Count > 0, $"{name}: SETTINGS ACK without a client SETTINGS to acknowledge (§6.5.3)");
                    Apply(input.UnacknowledgedSettings.Dequeue());
                }

                break;
            case FrameType.Ping:
                CheckFlags(frame, FrameFlags.Ack);
                CheckShape(frame, name, id == 0 && payload.Length == 8);
                if (frame.HasFlag(FrameFlags.Ack))
                {
                    ulong opaque = frame.PingData;
                    InvariantViolation.Check(input.PingPayloads.GetValueOrDefault(opaque) > 0, $"{name}: PING ACK {opaque:x16} echoes no client PING (§6.7)");
                    input.PingPayloads[opaque]--;
                }

                break;
            case FrameType.GoAway:
                CheckFlags(frame, FrameFlags.None);
                CheckShape(frame, name, id == 0 && payload.Length >= 8);
                OnGoAway(name, frame);
                break;
            case FrameType.WindowUpdate:
                CheckFlags(frame, FrameFlags.None);
                CheckShape(frame, name, payload.Length == 4);
                OnWindowUpdate(name, id, BinaryPrimitives.ReadUInt32BigEndian(payload));
                break;
            default:
                throw new InvariantViolation($"{name}: a server never sends {frame.Type}");
        }
    }

    private void OnGoAway(string frame, Frame goAway)
    {
        int lastStreamId = goAway.LastStreamId;
        Http2ErrorCode code = goAway.ErrorCode;
        // §6.8: a graceful shutdown may first announce itself with 2^31-1; any other value names a stream the client opened.
        bool announcement = lastStreamId == Http2Constants.MaxStreamId && code == Http2ErrorCode.NoError && _lastGoAwayStreamId is null;
        InvariantViolation.Check(announcement || lastStreamId <= input.HighestClientStreamId, $"{frame}: last stream id {lastStreamId} above the client's highest {input.HighestClientStreamId}");
        InvariantViolation.Check(_lastGoAwayStreamId is not int previous || lastStreamId <= previous, $"{frame}: last stream id {lastStreamId} grew from {_lastGoAwayStreamId} (§6.8)");
        _lastGoAwayStreamId = lastStreamId;
        if (code == Http2ErrorCode.NoError)
        {
            GracefulGoAwaySent = true;
        }
        else
        {
            ConnectionError = code;
            ConnectionErrorReason = goAway.DebugData;
        }
    }

    private void OnWindowUpdate(string frame, int id, uint raw)
    {
        long increment = raw & 0x7FFF_FFFF;
        InvariantViolation.Check((raw & 0x8000_0000) == 0 && increment > 0, $"{frame}: increment must be 1..2^31-1 (§6.9)");
        if (id == 0)
        {
            _connectionCredit += increment;
            long received = Math.Max(0, limits.InitialConnectionWindowSize - Http2Constants.DefaultInitialWindowSize) + input.DataOctets;
            InvariantViolation.Check(_connectionCredit <= received, $"{frame}: connection credit {_connectionCredit} exceeds the initial raise plus the DATA received ({received})");
            return;
        }

        StreamView stream = ResponseStream(id, frame);
        InvariantViolation.Check(!stream.Reset, $"{frame}: WINDOW_UPDATE on a stream the server reset");
        stream.Credit += increment;
        long streamReceived = input.StreamDataOctets.GetValueOrDefault(id);
        InvariantViolation.Check(stream.Credit <= streamReceived, $"{frame}: stream credit {stream.Credit} exceeds the DATA received on it ({streamReceived})");
    }

    /// <summary>A client SETTINGS takes effect for everything the server sent after its ACK (§6.5.3).</summary>
    private void Apply(List<(SettingsParameter Id, uint Value)> settings)
    {
        foreach ((SettingsParameter parameter, uint value) in settings)
        {
            switch (parameter)
            {
                case SettingsParameter.MaxFrameSize when value is >= Http2Constants.DefaultMaxFrameSize and <= Http2Constants.MaxAllowedFrameSize:
                    _peerMaxFrameSize = (int)value;
                    break;
                case SettingsParameter.InitialWindowSize when value <= int.MaxValue:
                    _peerInitialWindow = value; // §6.9.2: every stream window moves by the difference
                    break;
                case SettingsParameter.HeaderTableSize:
                    _blocks.OnTableSizeAcknowledged(value);
                    break;
            }
        }
    }

    private StreamView ResponseStream(int id, string frame)
    {
        InvariantViolation.Check((id & 1) == 1 && id <= input.HighestClientStreamId, $"{frame}: stream {id} is not one the client opened");
        if (!_streams.TryGetValue(id, out StreamView? stream))
        {
            _streams[id] = stream = new StreamView();
        }

        return stream;
    }

    private static void CheckFlags(Frame frame, FrameFlags allowed) =>
        InvariantViolation.Check((frame.Flags & ~allowed) == 0, $"{frame}: flags 0x{(byte)frame.Flags:x2} beyond 0x{(byte)allowed:x2}");

    private static void CheckShape(Frame frame, string name, bool valid) =>
        InvariantViolation.Check(valid, $"{name}: invalid length or stream id for {frame.Type} (§6)");

    private sealed class StreamView
    {
        public bool HeadersSent { get; set; }

        public bool Ended { get; set; }

        public bool Reset { get; set; }

        public long DataSent { get; set; }

        public long Credit { get; set; }

        public override string ToString() => $"headers={HeadersSent} ended={Ended} reset={Reset}";
    }
}
