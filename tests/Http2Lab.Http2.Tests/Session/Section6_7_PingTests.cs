using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.7: PING.</summary>
public class Section6_7_PingTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(0x0102030405060708UL)]
    [InlineData(ulong.MaxValue)]
    public void Ping_is_answered_with_an_ack_carrying_the_same_payload(ulong opaque)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Ping(opaque));
        Frame ack = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Ping, FrameFlags.Ack, 0, opaque), (ack.Type, ack.Flags, ack.StreamId, ack.PingData));
    }

    [Fact]
    public void Several_pings_are_answered_in_order()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Ping(1), FrameBuilder.Ping(2), FrameBuilder.Ping(3));
        Assert.Equal([1UL, 2UL, 3UL], h.Frames.Select(f => f.PingData));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    public void Ping_of_a_length_other_than_8_is_a_frame_size_error(int length)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Ping, FrameFlags.None, 0, new byte[length]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Ping_on_a_stream_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.Ping, FrameFlags.None, 1, new byte[8]));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Ping_ack_is_not_answered()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Ping(42, ack: true));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Send_ping_measures_the_round_trip_when_the_matching_ack_arrives()
    {
        using var h = new SessionHarness();
        h.Handshake();
        Assert.Null(h.Session.LastPingRoundTrip);
        h.Session.SendPing();
        h.Drain();
        Frame ping = Assert.Single(h.TakeFrames());
        Assert.Equal((FrameType.Ping, FrameFlags.None, 0), (ping.Type, ping.Flags, ping.StreamId));

        h.Time.Advance(TimeSpan.FromMilliseconds(30));
        h.Send(FrameBuilder.Ping(ping.PingData ^ 1, ack: true)); // not ours
        Assert.Null(h.Session.LastPingRoundTrip);

        h.Time.Advance(TimeSpan.FromMilliseconds(12));
        h.Send(FrameBuilder.Ping(ping.PingData, ack: true));
        Assert.Equal(TimeSpan.FromMilliseconds(42), h.Session.LastPingRoundTrip);
        h.AssertNoOutput();
    }
}
