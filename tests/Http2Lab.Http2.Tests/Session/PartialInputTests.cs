using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// RFC 9113 §4.1 framing over a byte stream: <see cref="Http2Session.Receive"/> consumes whole frames only, and the
/// same conversation must give the same result however the transport splits it.
/// </summary>
public class PartialInputTests
{
    /// <summary>A conversation touching every receive path: preface, SETTINGS, CONTINUATION, padding, trailers, PING...</summary>
    private static byte[] Conversation()
    {
        var client = new FrameBuilder();
        byte[] request = client.HeaderBlock([.. FrameBuilder.RequestFields("POST", "/split"), ("content-length", "300"), ("x-a", "b")]);
        byte[] trailers = client.HeaderBlock(("x-trailer", "t"));
        return FrameBuilder.Concat(
            FrameBuilder.Preface(),
            FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 100_000), (SettingsParameter.MaxFrameSize, 20_000)),
            FrameBuilder.SettingsAck(),
            FrameBuilder.Headers(1, request, endStream: false, maxFrameSize: 8),
            FrameBuilder.Data(1, FrameBuilder.Pattern(200), padLength: 13),
            FrameBuilder.Priority(1, 0),
            FrameBuilder.Raw((FrameType)0xFA, FrameFlags.None, 0, [1, 2, 3]),
            FrameBuilder.Data(1, FrameBuilder.Pattern(100)),
            FrameBuilder.Headers(1, trailers, endStream: true),
            FrameBuilder.Ping(77),
            FrameBuilder.WindowUpdate(0, 5000),
            FrameBuilder.Data(1, 1)); // after END_STREAM: GOAWAY STREAM_CLOSED
    }

    private static string Describe(SessionHarness h)
    {
        var text = new StringBuilder();
        foreach (Frame f in h.Frames)
        {
            text.Append(f).Append(' ').Append(Convert.ToHexString(f.Payload)).AppendLine();
        }

        foreach (HandlerEvent e in h.Handler.Events)
        {
            text.AppendLine(e switch
            {
                RequestEvent r => $"request {r.StreamId} {r.Request.Method} {r.Request.Path} {string.Join(",", r.Request.Headers)} {r.EndStream}",
                DataEvent d => $"data {d.StreamId} {Convert.ToHexString(d.Data)} {d.EndStream}",
                TrailersEvent t => $"trailers {t.StreamId} {string.Join(",", t.Trailers)}",
                _ => e.ToString(),
            });
        }

        return text.ToString();
    }

    private static string Expected()
    {
        using var h = new SessionHarness();
        h.Send(Conversation());
        return Describe(h);
    }

    [Fact]
    public void Conversation_in_one_piece_gives_the_expected_result()
    {
        using var h = new SessionHarness();
        h.Send(Conversation());
        Assert.Equal(0, h.UnconsumedLength);
        Assert.Equal(
            [FrameType.Settings, FrameType.WindowUpdate, FrameType.Settings, FrameType.Ping, FrameType.GoAway],
            h.Frames.Select(f => f.Type));
        Assert.Equal(Http2ErrorCode.StreamClosed, h.Frames[^1].ErrorCode);
        Assert.Equal([typeof(RequestEvent), typeof(DataEvent), typeof(DataEvent), typeof(TrailersEvent), typeof(ResetEvent)],
            h.Handler.Events.Select(e => e.GetType()));
        Assert.Equal([.. FrameBuilder.Pattern(200), .. FrameBuilder.Pattern(100)], h.Handler.BodyOf(1));
    }

    [Fact]
    public void Conversation_split_in_two_at_every_octet_gives_the_same_result()
    {
        byte[] bytes = Conversation();
        string expected = Expected();
        for (int split = 0; split <= bytes.Length; split++)
        {
            using var h = new SessionHarness();
            h.Send(bytes[..split]);
            h.Send(bytes[split..]);
            Assert.Equal(0, h.UnconsumedLength);
            Assert.True(expected == Describe(h), $"split at {split}");
        }
    }

    [Fact]
    public void Conversation_fed_one_octet_at_a_time_gives_the_same_result()
    {
        using var h = new SessionHarness();
        h.SendOctetByOctet(Conversation());
        Assert.Equal(0, h.UnconsumedLength);
        Assert.Equal(Expected(), Describe(h));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(4096)]
    public void Conversation_in_a_multi_segment_sequence_gives_the_same_result(int segmentSize)
    {
        using var h = new SessionHarness();
        byte[] bytes = Conversation();
        Assert.Equal(bytes.Length, h.SendSegmented(bytes, segmentSize));
        Assert.Equal(Expected(), Describe(h));
    }

    [Fact]
    public void Receive_returns_only_whole_frames()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] pings = FrameBuilder.Concat(FrameBuilder.Ping(1), FrameBuilder.Ping(2));
        Assert.Equal(0, h.Send(pings[..8]));     // not even a frame header
        Assert.Equal(0, h.Send(pings[8..16]));   // header, partial payload
        Assert.Equal(17, h.Send(pings[16..20])); // first PING complete, 3 octets of the next
        Assert.Equal(3, h.UnconsumedLength);
        Assert.Equal(17, h.Send(pings[20..]));
        Assert.Equal([1UL, 2UL], h.Frames.Select(f => f.PingData));
    }
}
