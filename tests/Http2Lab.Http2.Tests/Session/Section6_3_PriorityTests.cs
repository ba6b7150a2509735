using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.3 and §5.3.2: PRIORITY is parsed and otherwise ignored, in any stream state.</summary>
public class Section6_3_PriorityTests
{
    [Fact]
    public void Priority_on_an_idle_stream_is_tolerated_and_the_stream_can_still_open()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Priority(5, dependency: 0, exclusive: true, weight: 200));
        h.AssertNoOutput();
        Assert.Equal(0, h.Session.LastClientStreamId); // PRIORITY does not open a stream

        h.Request(3);
        h.Request(5);
        h.AssertNoOutput();
    }

    [Fact]
    public void Priority_on_an_open_stream_is_tolerated()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Request(3, endStream: false);
        h.Send(FrameBuilder.Priority(3, dependency: 1, exclusive: false, weight: 0), FrameBuilder.Priority(1, dependency: 99));
        h.AssertNoOutput();
        h.Send(FrameBuilder.Data(3, 1, endStream: true));
        Assert.Single(h.Handler.Data);
    }

    [Fact]
    public void Priority_on_a_closed_stream_is_tolerated()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();
        h.Send(FrameBuilder.Priority(1, dependency: 0));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(6)]
    public void Priority_of_the_wrong_length_is_a_stream_error_frame_size_error(int length)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.Priority, FrameFlags.None, 1, new byte[length]));
        h.AssertRst(1, Http2ErrorCode.FrameSizeError);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.FrameSizeError)], h.Handler.Resets);
        h.AssertAlive();
    }

    [Fact]
    public void Priority_of_the_wrong_length_on_an_idle_stream_resets_that_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Priority, FrameFlags.None, 3, new byte[4]));
        h.AssertRst(3, Http2ErrorCode.FrameSizeError);
        h.AssertAlive();
    }

    [Fact]
    public void Priority_on_stream_zero_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Priority(0, dependency: 1));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Stream_depending_on_itself_is_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Priority(1, dependency: 1));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
    }
}
