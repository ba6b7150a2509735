using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §5.4: connection and stream errors.</summary>
public class Section5_4_ErrorHandlingTests
{
    [Fact]
    public void Connection_error_sends_goaway_with_last_stream_id_code_and_debug_data_then_completes()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Request(3, endStream: true);
        h.Send(FrameBuilder.Data(0, 1));

        Frame goAway = h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Equal(3, goAway.LastStreamId);
        Assert.Equal("DATA on stream 0 (RFC 9113 6.1)", goAway.DebugData);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.Equal(
            [new ResetEvent(1, Http2ErrorCode.ProtocolError), new ResetEvent(3, Http2ErrorCode.ProtocolError)],
            h.Handler.Resets.OrderBy(r => r.StreamId));
    }

    [Fact]
    public void After_a_connection_error_the_application_can_no_longer_send()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Send(FrameBuilder.Data(0, 1));
        h.Frames.Clear();
        Assert.False(h.Session.SendHeaders(1, 200, [], endStream: true));
        h.Session.SendPing();
        h.Session.BeginGracefulShutdown();
        h.Drain();
        h.AssertNoOutput();
    }

    [Fact]
    public void Stream_error_resets_only_that_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Request(3, endStream: false);
        h.Send(FrameBuilder.WindowUpdate(1, 0));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
        h.AssertAlive();

        h.Send(FrameBuilder.Data(3, 2, endStream: true));
        Assert.Equal(2, h.Handler.BodyOf(3).Length);
    }

    [Fact]
    public void Exception_in_the_handler_becomes_goaway_internal_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Handler.OnRequestHook = _ => throw new InvalidOperationException("boom");
        h.Send(h.Client.Request(1));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.InternalError);
        Assert.Equal(1, goAway.LastStreamId);
        Assert.DoesNotContain("boom", goAway.DebugData);
    }

    [Fact]
    public void Abort_resets_every_running_stream_with_cancel_then_sends_goaway_with_the_given_code()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Request(3, endStream: false);
        h.Session.Abort(Http2ErrorCode.InternalError, "drain timeout");
        h.Drain();
        Assert.Equal([(FrameType.RstStream, 1), (FrameType.RstStream, 3), (FrameType.GoAway, 0)], h.Frames.Select(f => (f.Type, f.StreamId)));
        Assert.All(h.Frames.Take(2), f => Assert.Equal(Http2ErrorCode.Cancel, f.ErrorCode));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.InternalError);
        Assert.Equal((3, "drain timeout"), (goAway.LastStreamId, goAway.DebugData));
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.Cancel), new ResetEvent(3, Http2ErrorCode.Cancel)], h.Handler.Resets);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void Debug_data_is_truncated_to_128_octets()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Session.Abort(Http2ErrorCode.InternalError, new string('r', 500));
        h.Drain();
        Assert.Equal(new string('r', 128), h.AssertGoAway(Http2ErrorCode.InternalError).DebugData);
    }

    [Fact]
    public void Transport_closed_cancels_streams_and_drops_output()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Session.SendPing();
        h.Session.OnTransportClosed();
        Assert.False(h.Session.HasPendingOutput);
        Assert.True(h.Session.IsCompleted);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.Cancel)], h.Handler.Resets);
        Assert.Equal(5, h.Send(FrameBuilder.Ping(1)[..5]));
    }
}
