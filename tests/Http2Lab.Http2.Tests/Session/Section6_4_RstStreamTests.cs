using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.4: RST_STREAM.</summary>
public class Section6_4_RstStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void Rst_stream_of_a_length_other_than_4_is_a_frame_size_error(int length)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.RstStream, FrameFlags.None, 1, new byte[length]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Rst_stream_on_an_idle_stream_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Rst_stream_on_stream_zero_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.RstStream(0, Http2ErrorCode.Cancel));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData(Http2ErrorCode.Cancel)]
    [InlineData(Http2ErrorCode.NoError)]
    [InlineData((Http2ErrorCode)0xFF)]
    public void Handler_is_told_of_the_reset_with_the_peer_error_code(Http2ErrorCode code)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.RstStream(1, code));
        h.AssertNoOutput(); // never answer RST_STREAM with RST_STREAM (§5.4.2)
        Assert.Equal([new ResetEvent(1, code)], h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void After_a_peer_reset_the_application_cannot_write_and_pending_data_is_dropped()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(1000), endStream: false);
        Assert.Empty(h.DataFrames(1));
        h.Frames.Clear();

        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        Assert.False(h.Session.TryWriteData(1, [1], endStream: true, out int accepted));
        Assert.Equal(0, accepted);
        Assert.False(h.Session.SendTrailers(1, []));
        Assert.Equal(0, h.Session.GetWriteCapacity(1));

        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 65535)));
        Assert.Equal(FrameType.Settings, Assert.Single(h.Frames).Type); // only the ACK; no DATA on the reset stream
        Assert.Empty(h.Handler.Writables);
    }

    [Fact]
    public void Later_window_update_priority_and_rst_stream_on_a_reset_stream_are_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.Send(FrameBuilder.WindowUpdate(1, 100), FrameBuilder.Priority(1, 0), FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.AssertNoOutput();
        Assert.Single(h.Handler.Resets);
    }

    [Fact]
    public void Data_after_the_peer_reset_is_a_stream_error_stream_closed()
    {
        // §5.1 closed: "receives any frame other than PRIORITY after receiving a RST_STREAM ... STREAM_CLOSED".
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.Send(FrameBuilder.Data(1, 10));
        h.AssertRst(1, Http2ErrorCode.StreamClosed);
        Assert.Empty(h.Handler.Data);
        Assert.Single(h.Handler.Resets);
    }

    [Fact]
    public void Peer_reset_returns_the_unacknowledged_data_credit_to_the_connection()
    {
        using var h = new SessionHarness(new Http2Limits { InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384));
        h.AssertNoOutput(); // not acknowledged by the application

        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        Frame update = Assert.Single(h.Frames);
        Assert.Equal((FrameType.WindowUpdate, 0, 32768), (update.Type, update.StreamId, update.Increment));
    }

    [Fact]
    public void Application_reset_sends_rst_stream_and_is_not_reported_back()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Session.ResetStream(1, Http2ErrorCode.InternalError);
        h.Session.ResetStream(1, Http2ErrorCode.InternalError);
        h.Session.ResetStream(99, Http2ErrorCode.InternalError);
        h.Drain();
        h.AssertRst(1, Http2ErrorCode.InternalError);
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }
}
