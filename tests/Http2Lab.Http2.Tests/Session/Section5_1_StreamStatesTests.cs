using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §5.1: stream states as seen on the wire.</summary>
public class Section5_1_StreamStatesTests
{
    [Fact]
    public void Idle_stream_opens_on_headers()
    {
        using var h = new SessionHarness();
        h.Handshake();
        RequestEvent request = h.Request(1, endStream: false);
        Assert.False(request.EndStream);
        Assert.Equal(1, h.Session.ActiveStreamCount);
        Assert.Equal(1, h.Session.LastClientStreamId);
        h.AssertNoOutput();
    }

    public static TheoryData<string, byte[]> FramesOnIdleStreams => new()
    {
        { "DATA", FrameBuilder.Data(3, 5) },
        { "RST_STREAM", FrameBuilder.RstStream(3, Http2ErrorCode.Cancel) },
        { "WINDOW_UPDATE", FrameBuilder.WindowUpdate(3, 10) },
        { "CONTINUATION", FrameBuilder.Continuation(3, [0x82], endHeaders: true) },
    };

    [Theory]
    [MemberData(nameof(FramesOnIdleStreams))]
    public void Frames_other_than_headers_and_priority_on_an_idle_stream_are_a_protocol_error(string name, byte[] frame)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(frame);
        Frame goAway = h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Equal(1, goAway.LastStreamId);
        _ = name;
    }

    [Fact]
    public void Data_on_an_idle_stream_before_any_stream_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Data(1, 5));
        Assert.Equal(0, h.AssertGoAway(Http2ErrorCode.ProtocolError).LastStreamId);
    }

    [Fact]
    public void Headers_with_end_stream_half_close_the_stream_so_further_data_is_stream_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        Assert.True(h.Request(1).EndStream);

        h.Send(FrameBuilder.Data(1, 5));
        h.AssertGoAway(Http2ErrorCode.StreamClosed);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.StreamClosed)], h.Handler.Resets);
        Assert.Empty(h.Handler.Data);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Half_closed_remote_accepts_window_update_priority_and_ends_when_the_response_ends()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Send(FrameBuilder.WindowUpdate(1, 100), FrameBuilder.Priority(1, 0));
        h.AssertNoOutput();
        Assert.Equal(1, h.Session.ActiveStreamCount);

        h.Respond(1, body: [1, 2, 3]);
        Assert.Equal([FrameType.Headers, FrameType.Data], h.Frames.Select(f => f.Type));
        Assert.True(h.Frames[1].EndStream);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.Empty(h.Handler.Resets);
    }

    [Fact]
    public void Open_stream_receives_data_then_end_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 10), FrameBuilder.Data(1, 0, endStream: true));
        Assert.Equal([10, 0], h.Handler.Data.Select(d => d.Data.Length));
        Assert.Equal([false, true], h.Handler.Data.Select(d => d.EndStream));
        Assert.Equal(1, h.Session.ActiveStreamCount); // half-closed (remote) until the response ends

        h.Respond(1);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Response_ending_before_the_request_leaves_the_stream_half_closed_local_until_the_client_ends()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Respond(1, status: 404);

        // A fast response is not a reason to reset: the stream waits for the client's END_STREAM (§8.1).
        Frame response = Assert.Single(h.Frames);
        Assert.Equal(("404", true), (response.Status, response.EndStream));
        Assert.Equal(1, h.Session.ActiveStreamCount);
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 100), FrameBuilder.Data(1, 0, endStream: true), FrameBuilder.WindowUpdate(1, 5));
        h.AssertNoOutput();
        Assert.Equal(100, h.Handler.BodyOf(1).Length);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.Empty(h.Handler.Resets);
    }

    [Fact]
    public void Abandoned_body_after_the_response_is_discarded_with_connection_credit_until_the_window_is_full_then_rst_no_error()
    {
        using var h = new SessionHarness(new Http2Limits { InitialStreamWindowSize = 65535, InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Respond(1);
        h.Session.AbandonRequestBody(1);
        h.Frames.Clear();

        // Discarded: not delivered, the connection's credit comes back (batched), the stream's does not.
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384));
        Assert.Empty(h.Handler.Data);
        Frame update = Assert.Single(h.Frames);
        Assert.Equal((FrameType.WindowUpdate, 0), (update.Type, update.StreamId));
        Assert.Equal(1, h.Session.ActiveStreamCount);
        h.Frames.Clear();

        // The last octets of the stream's window: nobody will ever read this body, so stop it.
        h.Send(FrameBuilder.Data(1, 16383));
        h.AssertRst(1, Http2ErrorCode.NoError);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Data_on_a_stream_closed_by_end_stream_both_ways_is_stream_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();

        // §5.1: after the client's END_STREAM, the same connection error whether or not the response finished.
        h.Send(FrameBuilder.Data(1, 3));
        h.AssertGoAway(Http2ErrorCode.StreamClosed);
        Assert.Empty(h.Handler.Resets); // the application already finished with it
    }

    [Fact]
    public void Headers_on_a_stream_closed_by_end_stream_is_a_connection_error_stream_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();

        h.Send(h.Client.Request(1));
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.StreamClosed).LastStreamId);
        Assert.Single(h.Handler.Requests);
    }

    [Fact]
    public void Window_update_priority_and_rst_stream_on_a_closed_stream_are_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(1, 1), FrameBuilder.Priority(1, 0), FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Push_promise_from_a_client_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields());
        h.Send(FrameBuilder.Raw(FrameType.PushPromise, FrameFlags.EndHeaders, 1, [0, 0, 0, 2, .. block]));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Trailers_end_an_open_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 4), FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-checksum", "abc")), endStream: true));
        TrailersEvent trailers = Assert.Single(h.Handler.Trailers);
        Assert.Equal([new("x-checksum", "abc")], trailers.Trailers);
        h.Send(FrameBuilder.Data(1, 1));
        h.AssertGoAway(Http2ErrorCode.StreamClosed);
    }

    [Fact]
    public void Application_cannot_send_on_a_stream_after_it_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        Assert.False(h.Session.SendHeaders(1, 200, [], endStream: true));
        Assert.False(h.Session.TryWriteData(1, [1], endStream: true, out int accepted));
        Assert.Equal(0, accepted);
        Assert.False(h.Session.SendTrailers(1, []));
        Assert.Equal(0, h.Session.GetWriteCapacity(1));
        h.Session.ResetStream(1, Http2ErrorCode.Cancel);
        h.Frames.Clear();
        h.Drain();
        h.AssertNoOutput();
    }

    [Fact]
    public void Data_before_headers_are_sent_is_an_application_bug()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        Assert.Throws<InvalidOperationException>(() => h.Session.TryWriteData(1, [1], endStream: false, out _));
        Assert.Throws<InvalidOperationException>(() => h.Session.SendTrailers(1, []));
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.Throws<InvalidOperationException>(() => h.Session.SendHeaders(1, 200, [], endStream: false));
    }
}
