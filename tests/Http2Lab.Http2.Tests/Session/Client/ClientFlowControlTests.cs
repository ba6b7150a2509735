using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>RFC 9113 §6.9 and §5.1.2 from the client's side: both directions of flow control, and concurrency queuing.</summary>
public sealed class ClientFlowControlTests
{
    [Fact]
    public void Request_data_stops_at_the_stream_window_and_resumes_on_WINDOW_UPDATE()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 10));
        int id = h.Get("/upload", endStream: false);
        h.Frames.Clear();

        Assert.True(h.Session.TryWriteData(id, new byte[25], endStream: true, out int accepted));
        h.Drain();

        Assert.Equal(25, accepted);
        Frame first = Assert.Single(h.TakeFrames());
        Assert.Equal((FrameType.Data, 10, false), (first.Type, first.Payload.Length, first.EndStream));

        h.Send(FrameBuilder.WindowUpdate(id, 10));
        Frame second = Assert.Single(h.TakeFrames());
        Assert.Equal((10, false), (second.Payload.Length, second.EndStream));

        h.Send(FrameBuilder.WindowUpdate(id, 100));
        Frame last = Assert.Single(h.TakeFrames());
        Assert.Equal((5, true), (last.Payload.Length, last.EndStream));
        Assert.Contains(id, h.Handler.Writable);
    }

    [Fact]
    public void Request_data_stops_at_the_connection_window()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 1_000_000));
        int id = h.Get("/upload", endStream: false);
        h.Frames.Clear();

        Assert.True(h.Session.TryWriteData(id, new byte[60_000], endStream: false, out _));
        Assert.True(h.Session.TryWriteData(id, new byte[10_000], endStream: true, out _));
        h.Drain();

        Assert.Equal(65_535, h.TakeFrames().Sum(f => f.Payload.Length)); // the connection's initial window (§6.9.2)

        h.Send(FrameBuilder.WindowUpdate(0, 10_000));

        List<Frame> rest = h.TakeFrames();
        Assert.Equal(70_000 - 65_535, rest.Sum(f => f.Payload.Length));
        Assert.True(rest[^1].EndStream);
    }

    [Fact]
    public void A_SETTINGS_INITIAL_WINDOW_SIZE_increase_reopens_exhausted_streams()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        int id = h.Get("/upload", endStream: false);
        h.Frames.Clear();
        Assert.True(h.Session.TryWriteData(id, new byte[100], endStream: true, out _));
        h.Drain();
        Assert.Empty(h.Frames);

        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 1000)));

        Frame data = Assert.Single(h.Frames, f => f.Type == FrameType.Data);
        Assert.Equal((100, true), (data.Payload.Length, data.EndStream));
    }

    [Fact]
    public void Response_data_beyond_our_stream_window_is_a_stream_error_FLOW_CONTROL_ERROR()
    {
        var limits = new Http2Limits { InitialStreamWindowSize = 100 };
        using var h = new ClientSessionHarness(limits);
        h.Handshake();
        int id = h.Get();
        h.Respond(id, endStream: false, (":status", "200"));
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(id, new byte[101]));

        h.AssertRst(id, Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void Response_data_beyond_the_connection_window_is_a_connection_error()
    {
        var limits = new Http2Limits { InitialConnectionWindowSize = 65_535, InitialStreamWindowSize = 1_000_000 };
        using var h = new ClientSessionHarness(limits);
        h.Handshake();
        int id = h.Get();
        h.Respond(id, endStream: false, (":status", "200"));

        for (int i = 0; i < 4; i++)
        {
            h.Send(FrameBuilder.Data(id, new byte[16_384]));
        }

        h.AssertGoAway(Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void Consumed_response_data_is_credited_back_with_WINDOW_UPDATE()
    {
        var limits = new Http2Limits { InitialStreamWindowSize = 1000, InitialConnectionWindowSize = 65_535 };
        using var h = new ClientSessionHarness(limits);
        h.Handshake();
        int id = h.Get();
        h.Respond(id, endStream: false, (":status", "200"));
        h.Send(FrameBuilder.Data(id, new byte[1000]));
        h.Frames.Clear();

        h.Session.AcknowledgeData(id, 1000);
        h.Drain();

        Assert.Contains(h.Frames, f => f.Type == FrameType.WindowUpdate && f.StreamId == id && f.Increment == 1000);
        h.Frames.Clear();
        h.Send(FrameBuilder.Data(id, new byte[1000], endStream: true)); // the window is open again: no error
        Assert.Empty(h.Handler.Resets);
    }

    [Fact]
    public void Requests_beyond_MAX_CONCURRENT_STREAMS_wait_and_go_out_in_order_as_streams_close()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.MaxConcurrentStreams, 2));
        int a = h.Get(), b = h.Get(), c = h.Get(), d = h.Get();

        Assert.Equal([a, b], h.TakeFrames().Where(f => f.Type == FrameType.Headers).Select(f => f.StreamId));
        Assert.Equal(2, h.Session.QueuedStreamCount);

        h.Respond(b, endStream: true, (":status", "200"));
        Assert.Equal([c], h.TakeFrames().Where(f => f.Type == FrameType.Headers).Select(f => f.StreamId));

        h.Send(FrameBuilder.RstStream(a, Http2ErrorCode.Cancel));
        Assert.Equal([d], h.TakeFrames().Where(f => f.Type == FrameType.Headers).Select(f => f.StreamId));
        Assert.Equal(0, h.Session.QueuedStreamCount);
    }

    [Fact]
    public void A_queued_request_opens_with_the_stream_window_in_force_when_its_HEADERS_go_out()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.MaxConcurrentStreams, 1));
        int a = h.Get();
        int b = h.Get("/upload", endStream: false);
        Assert.True(h.Session.TryWriteData(b, new byte[300], endStream: true, out _)); // buffered while b waits

        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 100))); // §6.9.2: applies to b once it opens
        h.Frames.Clear();
        h.Respond(a, endStream: true, (":status", "200"));

        List<Frame> sent = h.TakeFrames();
        Assert.Equal([b], sent.Where(f => f.Type == FrameType.Headers).Select(f => f.StreamId));
        Assert.Equal(100, sent.Where(f => f.Type == FrameType.Data).Sum(f => f.Payload.Length));
    }

    [Fact]
    public void Streams_of_finished_requests_are_reused_without_mixing_their_state()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int first = h.Get("/upload", endStream: false);
        Assert.True(h.Session.TryWriteData(first, new byte[10], endStream: true, out _));
        h.Respond(first, endStream: false, (":status", "200"), ("content-length", "3"));
        h.Send(FrameBuilder.Data(first, "abc"u8.ToArray(), endStream: true));
        h.Frames.Clear();

        // The next request gets the closed stream's object: nothing of the first exchange carries over (its response
        // having started would make these HEADERS trailers; its 3 octets received would break this content-length).
        int second = h.Get();
        h.Respond(second, endStream: false, (":status", "200"), ("content-length", "5"));
        h.Send(FrameBuilder.Data(second, new byte[5], endStream: true));

        Assert.Equal([first, second], h.Handler.Responses.Select(r => r.StreamId));
        Assert.Equal(5, h.Handler.Data.Where(d => d.StreamId == second).Sum(d => d.Data.Length));
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.DoesNotContain(h.Frames, f => f.Type is FrameType.Data or FrameType.RstStream or FrameType.GoAway);
    }

    [Fact]
    public void A_queued_request_cancelled_before_it_opens_never_reaches_the_wire()
    {
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.MaxConcurrentStreams, 1));
        int a = h.Get(), b = h.Get(), c = h.Get();
        h.Frames.Clear();

        h.Session.ResetStream(b, Http2ErrorCode.Cancel);
        h.Respond(a, endStream: true, (":status", "200"));

        Assert.Equal([c], h.TakeFrames().Where(f => f.Type is FrameType.Headers or FrameType.RstStream).Select(f => f.StreamId));
    }

    [Fact]
    public void A_request_queued_after_a_cancelled_queued_one_sends_only_its_own_body()
    {
        // The cancelled request's object is kept for the next one: its buffered body must not come along.
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.MaxConcurrentStreams, 1));
        int a = h.Get();
        int b = h.Get("/upload", endStream: false);
        Assert.True(h.Session.TryWriteData(b, new byte[700], endStream: false, out _));
        h.Session.ResetStream(b, Http2ErrorCode.Cancel);
        int c = h.Get("/upload", endStream: false);
        Assert.True(h.Session.TryWriteData(c, new byte[30], endStream: true, out _));
        h.Frames.Clear();

        h.Respond(a, endStream: true, (":status", "200"));

        List<Frame> sent = h.TakeFrames();
        Assert.Equal([c], sent.Where(f => f.Type is FrameType.Headers or FrameType.RstStream).Select(f => f.StreamId));
        Assert.Equal(30, sent.Where(f => f.Type == FrameType.Data && f.StreamId == c).Sum(f => f.Payload.Length));
        Assert.True(sent.Last(f => f.Type == FrameType.Data).EndStream);
        Assert.Equal(0, h.Session.QueuedStreamCount);
    }

    [Fact]
    public void A_queued_request_with_a_buffered_body_refused_by_GOAWAY_never_reaches_the_wire()
    {
        // GOAWAY refuses the queued requests (§8.7: not processed, retry elsewhere); the open one still completes.
        using var h = new ClientSessionHarness();
        h.Handshake((SettingsParameter.MaxConcurrentStreams, 1));
        int a = h.Get();
        int b = h.Get("/upload", endStream: false);
        Assert.True(h.Session.TryWriteData(b, new byte[500], endStream: true, out _));
        h.Frames.Clear();

        h.Send(FrameBuilder.GoAway(a, Http2ErrorCode.NoError));
        h.Respond(a, endStream: true, (":status", "200"));

        Assert.Equal((b, true), h.Handler.Resets.Select(r => (r.StreamId, r.Refused)).Single());
        Assert.Equal([a], h.Handler.Responses.Select(r => r.StreamId));
        Assert.DoesNotContain(h.Frames, f => f.Type is FrameType.Headers or FrameType.Data);
        Assert.Equal(0, h.Session.QueuedStreamCount);
    }

    [Fact]
    public void Cancelling_an_open_stream_sends_RST_STREAM_CANCEL_and_later_frames_are_ignored()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Respond(id, endStream: false, (":status", "200"));
        h.Frames.Clear();

        h.Session.ResetStream(id, Http2ErrorCode.Cancel);
        h.Drain();
        h.AssertRst(id, Http2ErrorCode.Cancel);
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(id, new byte[100], endStream: true));

        Assert.DoesNotContain(h.Frames, f => f.Type is FrameType.RstStream or FrameType.GoAway);
        Assert.Empty(h.Handler.Resets); // the reset was ours
    }
}
