using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// The application may answer from inside a handler call (IHttp2SessionHandler runs with the session's lock held):
/// the stream's state must already reflect the frame being delivered (RFC 9113 §5.1).
/// </summary>
public class SynchronousHandlerTests
{
    [Fact]
    public void Response_from_inside_on_request_to_a_complete_request_closes_the_stream_cleanly()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Handler.OnRequestHook = r => Assert.True(h.Session.SendHeaders(r.StreamId, 204, [], endStream: true));
        h.Send(h.Client.Request(1, endStream: true));

        Frame response = Assert.Single(h.Frames); // no RST_STREAM: the request was complete
        Assert.Equal((FrameType.Headers, true, "204"), (response.Type, response.EndStream, response.Status));
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Response_from_inside_on_request_data_at_end_stream_closes_the_stream_cleanly()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 5));
        Assert.Equal(1, h.Session.ActiveStreamCount);

        var capture = new RecordingHandlerHook(h, 1);
        h.Send(FrameBuilder.Data(1, 5, endStream: true));
        Assert.True(capture.Responded);
        Frame response = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Headers, true), (response.Type, response.EndStream));
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Response_from_inside_on_request_trailers_closes_the_stream_cleanly()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1));
        h.Handler.OnTrailersHook = id => Assert.True(h.Session.SendHeaders(id, 200, [], endStream: true));
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-t", "1")), endStream: true));
        Frame response = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Headers, true), (response.Type, response.EndStream));
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Response_from_inside_on_request_before_the_body_leaves_the_stream_half_closed_local()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Handler.OnRequestHook = r => Assert.True(h.Session.SendHeaders(r.StreamId, 413, [], endStream: true));
        h.Send(h.Client.Request(1, endStream: false));
        Assert.Equal([FrameType.Headers], h.Frames.Select(f => f.Type));
        Assert.Equal(1, h.Session.ActiveStreamCount);
        h.Send(FrameBuilder.Data(1, 10, endStream: true));
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    private sealed class RecordingHandlerHook
    {
        public RecordingHandlerHook(SessionHarness h, int streamId)
        {
            h.Handler.OnDataHook = (id, endStream) =>
            {
                if (id == streamId && endStream)
                {
                    Responded = h.Session.SendHeaders(id, 200, [], endStream: true);
                }
            };
        }

        public bool Responded { get; private set; }
    }
}
