using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// RFC 9113 §5.1 and §5.4.2: frames on a stream that is no longer open are answered by why it closed
/// (<see cref="StreamCloseReason"/>): after our RST_STREAM they are ignored; after the client's, STREAM_CLOSED; and a
/// stream closed too long ago to remember (the ring keeps max(256, 2 × MaxConcurrentStreams) streams) gets a stream
/// error, never a connection error.
/// </summary>
public class ClosedStreamTests
{
    /// <summary>Opens stream 1 and makes us reset it: a zero-increment WINDOW_UPDATE (§6.9) is a stream error.</summary>
    private static void OpenAndProvokeReset(SessionHarness h, int id = 1)
    {
        h.Request(id, endStream: false);
        h.Send(FrameBuilder.WindowUpdate(id, 0));
        h.AssertRst(id, Http2ErrorCode.ProtocolError);
        h.Frames.Clear();
    }

    /// <summary>Opens and completes <paramref name="count"/> streams after <paramref name="after"/>; returns the next free id.</summary>
    private static int CloseStreams(SessionHarness h, int after, int count)
    {
        int id = after;
        for (int i = 0; i < count; i++)
        {
            id += 2;
            h.Request(id);
            h.Respond(id);
        }

        h.Frames.Clear();
        return id + 2;
    }

    [Fact]
    public void Frames_after_our_reset_are_ignored()
    {
        using SessionHarness h = new();
        h.Handshake();
        OpenAndProvokeReset(h);

        h.Send(
            FrameBuilder.Data(1, 100),
            FrameBuilder.WindowUpdate(1, 10),
            FrameBuilder.Priority(1, 0),
            FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-trailer", "1")), endStream: true),
            FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.AssertNoOutput();
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.Empty(h.Handler.Data);
        Assert.Empty(h.Handler.Trailers);
        h.AssertAlive();
    }

    [Fact]
    public void Data_after_our_reset_still_returns_its_credit_to_the_connection()
    {
        using SessionHarness h = new(new Http2Limits { InitialConnectionWindowSize = 65535, InitialStreamWindowSize = 65535 });
        h.Handshake();
        OpenAndProvokeReset(h);

        // The client had sent this before it saw our RST_STREAM; it counts against the connection window (§6.9).
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384));
        Frame update = Assert.Single(h.Frames);
        Assert.Equal((FrameType.WindowUpdate, 0, 32768), (update.Type, update.StreamId, update.Increment));

        // Without that credit this request's body would overflow the connection window.
        h.Frames.Clear();
        h.Request(3, endStream: false);
        h.Send(FrameBuilder.Data(3, 16384), FrameBuilder.Data(3, 16384), FrameBuilder.Data(3, 16384), FrameBuilder.Data(3, 16383));
        Assert.DoesNotContain(h.Frames, f => f.Type is FrameType.GoAway or FrameType.RstStream);
        Assert.Equal(65535, h.Handler.BodyOf(3).Length);
    }

    [Fact]
    public void A_field_block_after_our_reset_keeps_the_hpack_context_in_step()
    {
        using SessionHarness h = new();
        h.Handshake();
        OpenAndProvokeReset(h);

        // Ignored, but decoded: it adds x-big to the client's and our dynamic tables.
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-big", "value")), endStream: true));
        h.AssertNoOutput();

        // This block refers to that entry by index.
        RequestEvent request = h.Request(3, endStream: true, ("x-big", "value"));
        Assert.Contains(new KeyValuePair<string, string>("x-big", "value"), request.Request.Headers);
    }

    [Fact]
    public void Headers_on_a_stream_the_client_reset_is_a_stream_error_stream_closed()
    {
        using SessionHarness h = new();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.AssertNoOutput();

        h.Send(h.Client.Request(1));
        h.AssertRst(1, Http2ErrorCode.StreamClosed);
        Assert.Single(h.Handler.Requests);
        h.AssertAlive();
    }

    [Fact]
    public void Data_on_a_stream_the_client_reset_is_a_stream_error_stream_closed()
    {
        using SessionHarness h = new();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));

        h.Send(FrameBuilder.Data(1, 10));
        h.AssertRst(1, Http2ErrorCode.StreamClosed);
        h.AssertAlive();
    }

    [Theory]
    [InlineData(100, 256)]  // the floor
    [InlineData(200, 400)]  // twice the concurrent streams
    public void Our_reset_is_remembered_for_as_many_closed_streams_as_the_ring_holds(int maxConcurrentStreams, int remembered)
    {
        using SessionHarness h = new(new Http2Limits { MaxConcurrentStreams = maxConcurrentStreams });
        h.Handshake();
        OpenAndProvokeReset(h);
        CloseStreams(h, after: 1, count: remembered - 1); // stream 1 is the oldest of `remembered` entries

        h.Send(h.Client.Request(1), FrameBuilder.Data(1, 10));
        h.AssertNoOutput(); // still known as reset by us: ignored
    }

    [Theory]
    [InlineData(100, 256)]
    [InlineData(200, 400)]
    public void Headers_on_a_stream_reset_by_us_long_ago_is_a_stream_error_stream_closed(int maxConcurrentStreams, int remembered)
    {
        using SessionHarness h = new(new Http2Limits { MaxConcurrentStreams = maxConcurrentStreams });
        h.Handshake();
        OpenAndProvokeReset(h);
        int next = CloseStreams(h, after: 1, count: remembered); // pushes stream 1 out of the ring

        h.Send(h.Client.Request(1));
        h.AssertRst(1, Http2ErrorCode.StreamClosed);
        Assert.Null(h.Session.ConnectionErrorCode);
        h.AssertAlive();

        h.Request(next); // and new streams work as before
        Assert.Equal(1, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Data_on_a_stream_that_ended_long_ago_is_a_stream_error_not_a_connection_error()
    {
        using SessionHarness h = new();
        h.Handshake();
        CloseStreams(h, after: -1, count: 257); // streams 1..513; stream 1 is forgotten

        h.Send(FrameBuilder.Data(1, 10));
        h.AssertRst(1, Http2ErrorCode.StreamClosed);
        h.AssertAlive();

        // A recently ended stream is still known: §5.1 makes that a connection error.
        h.Send(FrameBuilder.Data(513, 10));
        h.AssertGoAway(Http2ErrorCode.StreamClosed);
    }
}
