using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// Drives one <see cref="Http2Session"/> as a client would: feeds octets (keeping what the session did not consume
/// and offering it again with the next octets), drains the session's output and parses it back into frames,
/// decoding response header blocks with a decoder owned by the harness.
/// </summary>
internal sealed class SessionHarness : IDisposable
{
    private byte[] _unconsumed = [];
    private readonly FrameBuffer _output = new();
    private readonly HeaderBlockDecoder _responseHeaders = new();

    public SessionHarness(Http2Limits? limits = null)
    {
        Limits = limits ?? new Http2Limits();
        Session = new Http2Session(Limits, Handler, logger: null, Time);
    }

    public Http2Limits Limits { get; }

    public ManualTimeProvider Time { get; } = new();

    public RecordingHandler Handler { get; } = new();

    public Http2Session Session { get; }

    /// <summary>The client's frame builder, with the client's HPACK encoder.</summary>
    public FrameBuilder Client { get; } = new();

    /// <summary>The client's HPACK decoder for response header blocks.</summary>
    public HPackDecoder ResponseDecoder => _responseHeaders.Decoder;

    /// <summary>Frames the session sent and the test has not taken yet.</summary>
    public List<Frame> Frames { get; } = [];

    /// <summary>Every frame the session sent since the harness was created.</summary>
    public List<Frame> AllFrames { get; } = [];

    /// <summary>The SETTINGS_MAX_FRAME_SIZE the client announced; every frame we parse is checked against it.</summary>
    public int ClientMaxFrameSize { get; set; } = Http2Constants.DefaultMaxFrameSize;

    /// <summary>Octets offered but not yet consumed by the session.</summary>
    public int UnconsumedLength => _unconsumed.Length;

    /// <summary>
    /// Appends <paramref name="octets"/> to what the session has not consumed yet and offers all of it.
    /// Returns how many octets this call consumed. Output is drained and parsed unless <paramref name="drain"/> is false.
    /// </summary>
    public long Send(byte[] octets, bool drain = true)
    {
        _unconsumed = [.. _unconsumed, .. octets];
        long consumed = Session.Receive(new ReadOnlySequence<byte>(_unconsumed));
        Assert.InRange(consumed, 0, _unconsumed.Length);
        _unconsumed = _unconsumed[(int)consumed..];
        if (drain)
        {
            Drain();
        }

        return consumed;
    }

    public long Send(params byte[][] parts) => Send(FrameBuilder.Concat(parts));

    /// <summary>Feeds <paramref name="octets"/> one octet per <see cref="Http2Session.Receive"/> call.</summary>
    public void SendOctetByOctet(byte[] octets)
    {
        foreach (byte b in octets)
        {
            Send([b]);
        }
    }

    /// <summary>Offers <paramref name="octets"/> as a sequence of one-octet segments (exercises multi-segment input).</summary>
    public long SendSegmented(byte[] octets, int segmentSize)
    {
        Assert.Empty(_unconsumed);
        ReadOnlySequence<byte> sequence = Segment.Build(octets, segmentSize);
        long consumed = Session.Receive(sequence);
        _unconsumed = octets[(int)consumed..];
        Drain();
        return consumed;
    }

    /// <summary>Writes out everything the session queued (as a driver would) and parses it into <see cref="Frames"/>.</summary>
    public void Drain()
    {
        while (Session.HasPendingOutput)
        {
            ReadOnlyMemory<byte> output = Session.PendingOutput;
            _output.Append(output.Span);
            Session.AdvanceOutput(output.Length);
        }

        ParseOutput();
    }

    /// <summary>One tick of the driver's heartbeat timer (<see cref="Http2Session.OnHeartbeat"/>); drains unless told not to.</summary>
    public void Heartbeat(bool drain = true)
    {
        Session.OnHeartbeat();
        if (drain)
        {
            Drain();
        }
    }

    /// <summary>
    /// Moves <see cref="Time"/> forward by <paramref name="total"/> in steps of at most one second with a heartbeat
    /// after each, as the driver's timer would (the session counts at most 2 s per heartbeat). Drains after each
    /// heartbeat unless told not to.
    /// </summary>
    public void AdvanceAndBeat(TimeSpan total, bool drain = true)
    {
        TimeSpan step = TimeSpan.FromSeconds(1);
        while (total > TimeSpan.Zero)
        {
            TimeSpan by = total < step ? total : step;
            Time.Advance(by);
            total -= by;
            Heartbeat(drain);
        }
    }

    /// <summary>Drains, then keeps offering unconsumed input until the session took all of it.</summary>
    public void Pump()
    {
        Drain();
        while (_unconsumed.Length > 0)
        {
            long before = _unconsumed.Length;
            Send([]);
            if (_unconsumed.Length == before)
            {
                throw new InvalidOperationException($"The session consumes nothing of the remaining {before} octets.");
            }
        }
    }

    /// <summary>
    /// Preface, client SETTINGS and the ACK of the server's SETTINGS; checks the server's preface and the ACK of
    /// ours, then clears <see cref="Frames"/>.
    /// </summary>
    public void Handshake(params (SettingsParameter Id, uint Value)[] settings)
    {
        Send(FrameBuilder.Preface(), FrameBuilder.Settings(settings));
        foreach ((SettingsParameter id, uint value) in settings)
        {
            if (id == SettingsParameter.MaxFrameSize)
            {
                ClientMaxFrameSize = (int)value;
            }
        }

        bool raise = Limits.InitialConnectionWindowSize > Http2Constants.DefaultInitialWindowSize;
        Assert.Equal(raise ? 3 : 2, Frames.Count);
        Assert.Equal((FrameType.Settings, FrameFlags.None), (Frames[0].Type, Frames[0].Flags));
        if (raise)
        {
            Assert.Equal((FrameType.WindowUpdate, 0), (Frames[1].Type, Frames[1].StreamId));
        }

        Assert.Equal((FrameType.Settings, FrameFlags.Ack, 0), (Frames[^1].Type, Frames[^1].Flags, Frames[^1].Payload.Length));
        int count = Frames.Count;
        Send(FrameBuilder.SettingsAck());
        Assert.Equal(count, Frames.Count);
        Frames.Clear();
    }

    /// <summary>Sends a request and returns the event the handler received for it.</summary>
    public RequestEvent Request(int streamId, bool endStream = true, params (string Name, string Value)[] extra)
    {
        Send(Client.Request(streamId, endStream, extra));
        return Assert.Single(Handler.Requests, r => r.StreamId == streamId);
    }

    /// <summary>Response headers and an optional body through the session's application API, then drains.</summary>
    public void Respond(int streamId, int status = 200, byte[]? body = null, bool endStream = true, params (string Name, string Value)[] headers)
    {
        KeyValuePair<string, string>[] fields = [.. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))];
        Assert.True(Session.SendHeaders(streamId, status, fields, endStream: body is null && endStream));
        if (body is not null)
        {
            Assert.True(Session.TryWriteData(streamId, body, endStream, out int accepted));
            Assert.Equal(body.Length, accepted);
        }

        Drain();
    }

    /// <summary>More response body through <see cref="Http2Session.TryWriteData"/>; all of it must be accepted. Drains.</summary>
    public void Write(int streamId, byte[] body, bool endStream)
    {
        Assert.True(Session.TryWriteData(streamId, body, endStream, out int accepted));
        Assert.Equal(body.Length, accepted);
        Drain();
    }

    /// <summary>Returns the frames received so far and forgets them.</summary>
    public List<Frame> TakeFrames()
    {
        List<Frame> frames = [.. Frames];
        Frames.Clear();
        return frames;
    }

    /// <summary>The one frame sent since the last take, which must be a GOAWAY with <paramref name="code"/>.</summary>
    public Frame AssertGoAway(Http2ErrorCode code)
    {
        Frame goAway = Assert.Single(Frames, f => f.Type == FrameType.GoAway);
        Assert.Equal(0, goAway.StreamId);
        Assert.Equal(code, goAway.ErrorCode);
        Assert.Same(goAway, Frames[^1]); // nothing follows a connection error
        Assert.True(Session.IsCompleted);
        return goAway;
    }

    /// <summary>
    /// The first step of a graceful shutdown (§6.8) is in <see cref="Frames"/>: GOAWAY NO_ERROR naming 2^31-1, then
    /// a PING. Takes both frames and returns the PING's opaque data.
    /// </summary>
    public ulong TakeShutdownAnnouncement()
    {
        Assert.Equal(2, Frames.Count);
        Frame goAway = Frames[0], ping = Frames[1];
        Assert.Equal((FrameType.GoAway, 0, Http2Constants.MaxStreamId, Http2ErrorCode.NoError), (goAway.Type, goAway.StreamId, goAway.LastStreamId, goAway.ErrorCode));
        Assert.Equal((FrameType.Ping, FrameFlags.None), (ping.Type, ping.Flags));
        Frames.Clear();
        return ping.PingData;
    }

    /// <summary>
    /// Takes the shutdown announcement, acknowledges its PING as a client would, and returns the final GOAWAY
    /// NO_ERROR that follows (the only frame sent).
    /// </summary>
    public Frame AcknowledgeShutdown()
    {
        ulong opaque = TakeShutdownAnnouncement();
        Send(FrameBuilder.Ping(opaque, ack: true));
        Frame goAway = Assert.Single(Frames);
        Assert.Equal((FrameType.GoAway, 0, Http2ErrorCode.NoError), (goAway.Type, goAway.StreamId, goAway.ErrorCode));
        Frames.Clear();
        return goAway;
    }

    /// <summary>Exactly one RST_STREAM on <paramref name="streamId"/> with <paramref name="code"/>, and no GOAWAY.</summary>
    public Frame AssertRst(int streamId, Http2ErrorCode code)
    {
        Assert.DoesNotContain(Frames, f => f.Type == FrameType.GoAway);
        Frame rst = Assert.Single(Frames, f => f.Type == FrameType.RstStream);
        Assert.Equal(streamId, rst.StreamId);
        Assert.Equal(code, rst.ErrorCode);
        Assert.Equal(4, rst.Payload.Length);
        return rst;
    }

    /// <summary>The session sent nothing since the last take.</summary>
    public void AssertNoOutput() => Assert.Empty(Frames);

    /// <summary>The connection still works: a PING is answered with its ACK and nothing else.</summary>
    public void AssertAlive()
    {
        Frames.Clear();
        Send(FrameBuilder.Ping(0x0123456789ABCDEF));
        Frame ack = Assert.Single(Frames);
        Assert.Equal((FrameType.Ping, FrameFlags.Ack, 0x0123456789ABCDEFUL), (ack.Type, ack.Flags, ack.PingData));
        Assert.False(Session.IsCompleted);
        Frames.Clear();
    }

    /// <summary>The DATA frames sent on <paramref name="streamId"/> since the last take.</summary>
    public List<Frame> DataFrames(int streamId) => [.. Frames.Where(f => f.Type == FrameType.Data && f.StreamId == streamId)];

    public void Dispose() => Session.Dispose();

    private void ParseOutput()
    {
        while (_output.TryRead(out Frame? frame))
        {
            Assert.True(frame.Payload.Length <= ClientMaxFrameSize, $"{frame} exceeds the client's SETTINGS_MAX_FRAME_SIZE {ClientMaxFrameSize}");
            _responseHeaders.Add(frame); // decodes the fields of a HEADERS frame once its block is complete
            Frames.Add(frame);
            AllFrames.Add(frame);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Build(byte[] octets, int segmentSize)
        {
            if (octets.Length == 0)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            var first = new Segment(octets.AsMemory(0, Math.Min(segmentSize, octets.Length)), 0);
            Segment last = first;
            for (int i = segmentSize; i < octets.Length; i += segmentSize)
            {
                var next = new Segment(octets.AsMemory(i, Math.Min(segmentSize, octets.Length - i)), i);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
