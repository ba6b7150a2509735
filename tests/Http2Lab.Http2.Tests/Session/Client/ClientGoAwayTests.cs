using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session.Client;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>RFC 9113 §6.8 from the client's side: the server's GOAWAY and its last stream id.</summary>
public sealed class ClientGoAwayTests
{
    [Fact]
    public void Streams_above_the_last_stream_id_are_refused_and_those_below_finish()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int a = h.Get(), b = h.Get(), c = h.Get();

        h.Send(FrameBuilder.GoAway(a, Http2ErrorCode.NoError, "shutting down"));

        Assert.Equal([(b, Http2ErrorCode.RefusedStream, true), (c, Http2ErrorCode.RefusedStream, true)], h.Handler.Resets);
        Assert.Equal((a, Http2ErrorCode.NoError, "shutting down"), Assert.Single(h.Handler.GoAways));
        Assert.Equal(1, h.Session.ActiveStreamCount);
        Assert.False(h.Session.IsCompleted);

        h.Respond(a, endStream: true, (":status", "200"));

        Assert.Equal(a, Assert.Single(h.Handler.Responses).StreamId);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void No_new_request_starts_after_GOAWAY()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.GoAway(0, Http2ErrorCode.NoError));

        int id = h.Session.SubmitRequest(new Http2ClientRequestHead("GET", "http", "localhost", "/", []), endStream: true);

        Assert.Equal(0, id);
        Assert.True(h.Session.IsDraining);
        Assert.True(h.Session.IsCompleted);
    }

    [Fact]
    public void Queued_requests_are_refused_by_GOAWAY_without_reaching_the_wire()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.MaxConcurrentStreams, 1));
        int a = h.Get(), b = h.Get();
        h.Frames.Clear();

        h.Send(FrameBuilder.GoAway(a, Http2ErrorCode.NoError));

        Assert.Equal((b, Http2ErrorCode.RefusedStream, true), Assert.Single(h.Handler.Resets));
        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.Headers);
    }

    [Fact]
    public void A_GOAWAY_with_an_error_refuses_unprocessed_streams_too()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int a = h.Get();

        h.Send(FrameBuilder.GoAway(0, Http2ErrorCode.InternalError));

        Assert.Equal((a, Http2ErrorCode.RefusedStream, true), Assert.Single(h.Handler.Resets));
        Assert.True(h.Session.IsCompleted);
        Assert.Contains("InternalError", h.Session.CloseReason);
    }

    [Fact]
    public void Our_own_GOAWAY_names_stream_0_and_lets_running_streams_finish()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int a = h.Get();
        h.Frames.Clear();

        h.Session.SendGoAway();
        h.Drain();

        Frame goAway = Assert.Single(h.Frames);
        Assert.Equal((FrameType.GoAway, 0, Http2ErrorCode.NoError), (goAway.Type, goAway.LastStreamId, goAway.ErrorCode));
        Assert.False(h.Session.IsCompleted);
        h.Respond(a, endStream: true, (":status", "200"));
        Assert.True(h.Session.IsCompleted);
    }
}
