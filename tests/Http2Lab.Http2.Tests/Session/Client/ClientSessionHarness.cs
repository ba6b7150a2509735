using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Http2.Session.Client;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>
/// Drives one <see cref="Http2ClientSession"/> as a server would: feeds it server frames built with a
/// <see cref="FrameBuilder"/> (whose encoder plays the server's HPACK encoder), drains and parses what it sends.
/// </summary>
internal sealed class ClientSessionHarness : IDisposable
{
    private byte[] _unconsumed = [];
    private readonly FrameBuffer _output = new();
    private readonly HeaderBlockDecoder _requestHeaders = new();
    private readonly List<byte> _raw = [];

    public ClientSessionHarness(Http2Limits? limits = null)
    {
        Limits = limits ?? new Http2Limits();
        Session = new Http2ClientSession(Limits, Handler);
    }

    public Http2Limits Limits { get; }

    public ClientRecordingHandler Handler { get; } = new();

    public Http2ClientSession Session { get; }

    /// <summary>The server's frame builder, with the server's HPACK encoder.</summary>
    public FrameBuilder Server { get; } = new();

    /// <summary>Frames the client sent and the test has not taken yet (header blocks decoded).</summary>
    public List<Frame> Frames { get; } = [];

    /// <summary>Every octet the client sent (the preface included).</summary>
    public byte[] RawOutput => [.. _raw];

    public void Send(params byte[][] parts)
    {
        _unconsumed = [.. _unconsumed, .. FrameBuilder.Concat(parts)];
        long consumed = Session.Receive(new ReadOnlySequence<byte>(_unconsumed));
        _unconsumed = _unconsumed[(int)consumed..];
        Drain();
    }

    public void Drain()
    {
        while (Session.HasPendingOutput)
        {
            ReadOnlyMemory<byte> output = Session.PendingOutput;
            _raw.AddRange(output.Span);
            byte[] octets = output.Span.ToArray();
            int skip = 0;
            if (_raw.Count == octets.Length && octets.AsSpan().StartsWith(Http2Constants.ClientPreface))
            {
                skip = Http2Constants.ClientPreface.Length; // the preface is not a frame
            }

            _output.Append(octets.AsSpan(skip));
            Session.AdvanceOutput(output.Length);
        }

        while (_output.TryRead(out Frame? frame))
        {
            if (_requestHeaders.Add(frame) is { } complete)
            {
                Frames.Add(complete);
            }
        }
    }

    /// <summary>Starts the session, answers with the server's SETTINGS (and the ACK of ours), then clears <see cref="Frames"/>.</summary>
    public void Handshake(params (SettingsParameter Id, uint Value)[] settings)
    {
        Session.Start();
        Drain();
        Send(FrameBuilder.Settings(settings), FrameBuilder.SettingsAck());
        Assert.Contains(Frames, f => f.Type == FrameType.Settings && f.IsAck);
        Frames.Clear();
    }

    public int Get(string path = "/", bool endStream = true, params (string, string)[] headers)
    {
        int id = Session.SubmitRequest(
            new Http2ClientRequestHead(endStream ? "GET" : "POST", "http", "localhost", path, [.. headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2))]),
            endStream);
        Drain();
        return id;
    }

    /// <summary>A response HEADERS from the server with <paramref name="fields"/> as given (pseudo-headers included).</summary>
    public void Respond(int streamId, bool endStream, params (string Name, string Value)[] fields) =>
        Send(FrameBuilder.Headers(streamId, Server.HeaderBlock(fields), endStream));

    public List<Frame> TakeFrames()
    {
        List<Frame> frames = [.. Frames];
        Frames.Clear();
        return frames;
    }

    public Frame AssertGoAway(Http2ErrorCode code)
    {
        Frame goAway = Assert.Single(Frames, f => f.Type == FrameType.GoAway);
        Assert.Equal(code, goAway.ErrorCode);
        Assert.Equal(0, goAway.LastStreamId); // the server opened no stream
        Assert.True(Session.IsCompleted);
        return goAway;
    }

    public Frame AssertRst(int streamId, Http2ErrorCode code)
    {
        Assert.DoesNotContain(Frames, f => f.Type == FrameType.GoAway);
        Frame rst = Assert.Single(Frames, f => f.Type == FrameType.RstStream);
        Assert.Equal((streamId, code), (rst.StreamId, rst.ErrorCode));
        return rst;
    }

    public void Dispose() => Session.Dispose();
}
