using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.8: GOAWAY.</summary>
public class Section6_8_GoAwayTests
{
    [Fact]
    public void Received_goaway_is_reported_and_completes_the_session_once_streams_finish()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Send(FrameBuilder.GoAway(0, Http2ErrorCode.NoError, "bye"));
        h.AssertNoOutput();
        Assert.Equal([new GoAwayEvent(0, Http2ErrorCode.NoError)], h.Handler.GoAways);
        Assert.False(h.Session.IsCompleted);

        h.Respond(1, body: [1]);
        Assert.Equal(2, h.Frames.Count);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void Received_goaway_with_no_streams_completes_at_once()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.GoAway(int.MaxValue, Http2ErrorCode.EnhanceYourCalm));
        Assert.Equal([new GoAwayEvent(int.MaxValue, Http2ErrorCode.EnhanceYourCalm)], h.Handler.GoAways);
        Assert.True(h.Session.IsCompleted);
        h.AssertNoOutput();
    }

    [Fact]
    public void Goaway_on_a_stream_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.GoAway, FrameFlags.None, 1, new byte[8]));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.GoAways);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Goaway_shorter_than_8_octets_is_a_frame_size_error(int length)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.GoAway, FrameFlags.None, 0, new byte[length]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Graceful_shutdown_lets_started_streams_finish_and_ignores_newer_ones()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Request(3, endStream: true);

        h.Session.BeginGracefulShutdown();
        h.Session.BeginGracefulShutdown(); // once only
        h.Drain();
        Frame goAway = h.AcknowledgeShutdown();
        Assert.Equal((3, 8), (goAway.LastStreamId, goAway.Payload.Length));
        Assert.False(h.Session.IsCompleted);

        // A stream above the last stream id is ignored: no request, no reset, its DATA is dropped.
        h.Send(h.Client.Request(5, endStream: false), FrameBuilder.Data(5, 10, endStream: true));
        h.AssertNoOutput();
        Assert.DoesNotContain(h.Handler.Events, e => e.StreamId == 5);

        // Existing streams carry on in both directions.
        h.Send(FrameBuilder.Data(1, 4, endStream: true));
        Assert.Equal(4, h.Handler.BodyOf(1).Length);
        h.Respond(3, body: [3]);
        Assert.False(h.Session.IsCompleted);
        h.Respond(1, body: [1]);
        Assert.Equal([FrameType.Headers, FrameType.Data, FrameType.Headers, FrameType.Data], h.Frames.Select(f => f.Type));
        Assert.True(h.Session.IsCompleted);
        Assert.Empty(h.Handler.Resets);
    }

    [Fact]
    public void Requests_the_client_sent_before_it_saw_the_shutdown_are_served()
    {
        // §6.8: the first GOAWAY names 2^31-1, so streams already in flight are not lost; the PING's
        // acknowledgement shows the client has seen it, and only then is the last stream id fixed.
        using var h = new SessionHarness();
        h.Handshake();
        h.Session.BeginGracefulShutdown();
        h.Drain();
        ulong opaque = h.TakeShutdownAnnouncement();
        Assert.False(h.Session.IsCompleted);

        h.Request(1);
        h.Request(3);
        Assert.Equal([1, 3], h.Handler.Requests.Select(r => r.StreamId));
        h.Send(FrameBuilder.Ping(opaque, ack: true));
        Assert.Equal(3, Assert.Single(h.TakeFrames()).LastStreamId);

        h.Send(h.Client.Request(5));
        Assert.DoesNotContain(h.Handler.Requests, r => r.StreamId == 5);
        h.Respond(1);
        Assert.False(h.Session.IsCompleted);
        h.Respond(3);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void A_client_that_never_acknowledges_the_shutdown_ping_gets_the_final_goaway_after_a_second()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();
        h.Session.BeginGracefulShutdown();
        h.Drain();
        h.TakeShutdownAnnouncement();

        h.AdvanceAndBeat(Http2Session.ShutdownPingTimeout / 2);
        h.AssertNoOutput();
        Assert.False(h.Session.IsCompleted);
        h.AdvanceAndBeat(Http2Session.ShutdownPingTimeout / 2);
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.NoError).LastStreamId);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void Graceful_shutdown_with_no_streams_completes_once_the_client_has_seen_it()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Session.BeginGracefulShutdown();
        h.Drain();
        Assert.False(h.Session.IsCompleted);
        Assert.Equal(0, h.AcknowledgeShutdown().LastStreamId);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void A_ping_ack_with_other_data_does_not_end_the_first_step()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Session.BeginGracefulShutdown();
        h.Drain();
        ulong opaque = h.TakeShutdownAnnouncement();
        h.Send(FrameBuilder.Ping(opaque ^ 1, ack: true));
        h.AssertNoOutput();
        Assert.False(h.Session.IsCompleted);
    }

    [Fact]
    public void Connection_error_after_a_graceful_goaway_does_not_raise_the_last_stream_id()
    {
        // §6.8: "Endpoints MUST NOT increase the value they send in the last stream identifier".
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Session.BeginGracefulShutdown();
        h.Drain();
        Assert.Equal(1, h.AcknowledgeShutdown().LastStreamId);

        h.Send(h.Client.Request(3), h.Client.Request(5));
        h.Send(FrameBuilder.Data(0, 1));
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.ProtocolError).LastStreamId);
    }

    [Fact]
    public void Connection_error_during_the_first_step_names_the_streams_received_so_far()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Session.BeginGracefulShutdown();
        h.Drain();
        h.TakeShutdownAnnouncement();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(0, 1));
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.ProtocolError).LastStreamId);
    }

    [Fact]
    public void Connection_error_goaway_carries_the_last_stream_id_and_debug_data()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Request(9);
        h.Send(FrameBuilder.Raw(FrameType.Ping, FrameFlags.None, 0, new byte[3]));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.FrameSizeError);
        Assert.Equal(9, goAway.LastStreamId);
        Assert.Equal("PING payload is not 8 octets (RFC 9113 6.7)", goAway.DebugData);
    }
}
