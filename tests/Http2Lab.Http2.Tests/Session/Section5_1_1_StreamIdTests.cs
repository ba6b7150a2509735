using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §5.1.1: stream identifiers.</summary>
public class Section5_1_1_StreamIdTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Even_stream_id_from_a_client_is_a_protocol_error(int streamId)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Request(streamId));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Requests);
    }

    [Fact]
    public void Even_stream_id_after_odd_ones_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(h.Client.Request(6));
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.ProtocolError).LastStreamId);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
    }

    [Fact]
    public void Headers_on_stream_zero_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(0, h.Client.HeaderBlock(FrameBuilder.RequestFields()), endStream: true));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Numerically_smaller_stream_id_than_a_previous_one_is_a_connection_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(5);
        h.Send(h.Client.Request(3));
        // §5.1.1: stream 3 was never used (implicitly closed by 5): an unexpected identifier.
        Frame goAway = h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Equal(5, goAway.LastStreamId);
        Assert.True(h.Session.IsCompleted);
        Assert.Single(h.Handler.Requests);
    }

    [Fact]
    public void Stream_ids_may_skip_and_skipped_ids_are_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Request(7, endStream: false);
        Assert.Equal(7, h.Session.LastClientStreamId);

        // Stream 3 was implicitly closed by the first use of 7 (§5.1.1).
        h.Send(FrameBuilder.Data(3, 1));
        h.AssertRst(3, Http2ErrorCode.StreamClosed);
        h.Frames.Clear();
        h.Send(FrameBuilder.Data(9, 1));
        h.AssertGoAway(Http2ErrorCode.ProtocolError); // 9 is still idle
    }

    [Fact]
    public void Largest_stream_id_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        RequestEvent request = h.Request(int.MaxValue);
        Assert.Equal(int.MaxValue, request.StreamId);
        h.Respond(int.MaxValue);
        Assert.Equal(int.MaxValue, h.Frames[0].StreamId);
    }

    [Fact]
    public void Goaway_reports_the_highest_stream_id_processed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Request(11);
        h.Send(FrameBuilder.Ping(1, ack: false), FrameBuilder.Data(0, 1));
        Assert.Equal(11, h.AssertGoAway(Http2ErrorCode.ProtocolError).LastStreamId);
    }

    [Fact]
    public void Headers_on_a_stream_that_ran_and_closed_is_stream_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Request(3);
        h.Frames.Clear();

        // §5.1: stream 1 completed normally; new HEADERS on it is a STREAM_CLOSED connection error.
        h.Send(h.Client.Request(1));
        Assert.Equal(3, h.AssertGoAway(Http2ErrorCode.StreamClosed).LastStreamId);
    }
}
