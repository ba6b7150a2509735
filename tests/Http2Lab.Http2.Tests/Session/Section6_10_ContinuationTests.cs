using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.10: CONTINUATION.</summary>
public class Section6_10_ContinuationTests
{
    private static (string, string)[] Fields => [.. FrameBuilder.RequestFields("GET", "/continued"), ("user-agent", "h2-test"), ("accept", "text/html")];

    [Fact]
    public void Header_block_is_reassembled_from_headers_and_continuations()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.Send(FrameBuilder.Headers(1, block, endStream: true, maxFrameSize: 10));
        RequestEvent request = Assert.Single(h.Handler.Requests);
        Assert.Equal("/continued", request.Request.Path);
        Assert.Equal([new("user-agent", "h2-test"), new("accept", "text/html")], request.Request.Headers);
        Assert.True(request.EndStream);
        h.AssertNoOutput();
    }

    [Fact]
    public void Header_block_split_at_every_octet_into_continuations_is_reassembled()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        Assert.InRange(block.Length, 10, 255);
        var frames = new List<byte[]> { FrameBuilder.HeadersFrame(1, block[..1], FrameFlags.EndStream) };
        for (int i = 1; i < block.Length; i++)
        {
            frames.Add(FrameBuilder.Continuation(1, block[i..(i + 1)], endHeaders: i == block.Length - 1));
        }

        h.Send(frames.Take(frames.Count - 1).ToArray());
        Assert.Empty(h.Handler.Requests);
        h.Send(frames[^1]);
        Assert.Equal("/continued", Assert.Single(h.Handler.Requests).Request.Path);
        h.AssertNoOutput();
    }

    [Fact]
    public void Header_block_in_continuations_fed_one_octet_per_receive_is_reassembled()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.SendOctetByOctet(FrameBuilder.Headers(1, block, endStream: false, maxFrameSize: 7));
        Assert.Equal("/continued", Assert.Single(h.Handler.Requests).Request.Path);
        Assert.Equal(0, h.UnconsumedLength);
        h.AssertNoOutput();
    }

    [Fact]
    public void Empty_headers_and_empty_continuations_are_allowed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.Send(
            FrameBuilder.HeadersFrame(1, [], FrameFlags.EndStream),
            FrameBuilder.Continuation(1, [], endHeaders: false),
            FrameBuilder.Continuation(1, block[..5], endHeaders: false),
            FrameBuilder.Continuation(1, [], endHeaders: false),
            FrameBuilder.Continuation(1, block[5..], endHeaders: false),
            FrameBuilder.Continuation(1, [], endHeaders: true));
        Assert.Equal("/continued", Assert.Single(h.Handler.Requests).Request.Path);
        h.AssertNoOutput();
    }

    [Fact]
    public void End_stream_comes_from_the_headers_frame_not_from_continuation()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.Send(
            FrameBuilder.HeadersFrame(1, block[..4], FrameFlags.None),
            FrameBuilder.Raw(FrameType.Continuation, FrameFlags.EndHeaders | FrameFlags.EndStream, 1, block[4..]));
        Assert.False(Assert.Single(h.Handler.Requests).EndStream);
        h.Send(FrameBuilder.Data(1, 1, endStream: true));
        Assert.Single(h.Handler.Data);
        h.AssertNoOutput();
    }

    public static TheoryData<string, byte[]> Interleaved => new()
    {
        { "PING", FrameBuilder.Ping(1) },
        { "DATA same stream", FrameBuilder.Data(1, 1) },
        { "HEADERS other stream", FrameBuilder.Headers(3, [0x82, 0x87, 0x84], endStream: true) },
        { "HEADERS same stream", FrameBuilder.Headers(1, [0x82], endStream: true) },
        { "PRIORITY", FrameBuilder.Priority(1, 0) },
        { "RST_STREAM", FrameBuilder.RstStream(1, Http2ErrorCode.Cancel) },
        { "WINDOW_UPDATE", FrameBuilder.WindowUpdate(0, 1) },
        { "SETTINGS", FrameBuilder.Settings() },
        { "unknown type", FrameBuilder.Raw((FrameType)0xFA, FrameFlags.None, 1, []) },
    };

    [Theory]
    [MemberData(nameof(Interleaved))]
    public void Any_other_frame_inside_a_header_block_is_a_protocol_error(string name, byte[] frame)
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.Send(FrameBuilder.HeadersFrame(1, block[..4], FrameFlags.EndStream), frame);
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Requests);
        _ = name;
    }

    [Fact]
    public void Continuation_without_headers_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Continuation(1, [0x82], endHeaders: true));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Continuation_after_a_completed_header_block_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.Send(FrameBuilder.Headers(1, block, endStream: false), FrameBuilder.Continuation(1, [], endHeaders: true));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Continuation_on_another_stream_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(Fields);
        h.Send(FrameBuilder.HeadersFrame(1, block[..4], FrameFlags.EndStream), FrameBuilder.Continuation(3, block[4..], endHeaders: true));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Requests);
    }

    [Fact]
    public void Continuation_on_stream_zero_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Continuation(0, [0x82], endHeaders: true));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Too_many_continuation_frames_are_enhance_your_calm()
    {
        using var h = new SessionHarness(new Http2Limits { MaxContinuationFrames = 4 });
        h.Handshake();
        var frames = new List<byte[]> { FrameBuilder.HeadersFrame(1, [], FrameFlags.EndStream) };
        for (int i = 0; i < 4; i++)
        {
            frames.Add(FrameBuilder.Continuation(1, [], endHeaders: false));
        }

        h.Send([.. frames]);
        h.AssertNoOutput();
        h.Send(FrameBuilder.Continuation(1, [], endHeaders: false));
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }

    [Fact]
    public void Header_block_far_larger_than_the_header_list_limit_is_enhance_your_calm()
    {
        using var h = new SessionHarness(new Http2Limits { MaxHeaderListSize = 1024 });
        h.Handshake();
        var frames = new List<byte[]> { FrameBuilder.HeadersFrame(1, new byte[16000], FrameFlags.EndStream) };
        frames.Add(FrameBuilder.Continuation(1, new byte[16000], endHeaders: false));
        h.Send([.. frames]);
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }

    [Fact]
    public void Trailers_may_use_continuation()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1));
        byte[] block = h.Client.HeaderBlock(("x-trailer-one", "1"), ("x-trailer-two", "2"));
        h.Send(FrameBuilder.Headers(1, block, endStream: true, maxFrameSize: 3));
        Assert.Equal([new("x-trailer-one", "1"), new("x-trailer-two", "2")], Assert.Single(h.Handler.Trailers).Trailers);
    }

    [Fact]
    public void Malformed_block_in_continuations_is_still_decoded_and_reset()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields().Append(("Bad-Name", "x")).ToArray());
        h.Send(FrameBuilder.Headers(1, block, endStream: true, maxFrameSize: 5));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        h.Frames.Clear();
        h.Request(3, endStream: true, ("x-after", "ok"));
    }
}
