using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// <see cref="Http2Session.SendPrebuilt"/>, the static responder's path: frames encoded once, the stream id written in,
/// and still every rule of the session (flow control, HPACK state, stream lifecycle).
/// </summary>
public class PrebuiltResponseTests
{
    private static readonly byte[] Body = "Hello World\n"u8.ToArray();

    private static PrebuiltResponse Hello() =>
        new(200, [new("content-type", "text/plain"), new("content-length", "12")], Body);

    [Fact]
    public void Each_stream_gets_headers_and_data_under_its_own_id_and_the_dynamic_table_is_untouched()
    {
        using var h = new SessionHarness();
        h.Handshake();
        PrebuiltResponse response = Hello();
        h.Request(1);
        h.Request(3);

        Assert.True(h.Session.SendPrebuilt(3, response, out int sent3));
        Assert.True(h.Session.SendPrebuilt(1, response, out int sent1));
        h.Drain();

        Assert.Equal((Body.Length, Body.Length), (sent1, sent3));
        Assert.Equal(
            [(FrameType.Headers, 3), (FrameType.Data, 3), (FrameType.Headers, 1), (FrameType.Data, 1)],
            h.Frames.Select(f => (f.Type, f.StreamId)));
        foreach (Frame headers in h.Frames.Where(f => f.Type == FrameType.Headers))
        {
            Assert.Equal([new(":status", "200"), new("content-type", "text/plain"), new("content-length", "12")], headers.Headers);
            Assert.Equal(FrameFlags.EndHeaders, headers.Flags);
        }

        Assert.All(h.DataFrames(1).Concat(h.DataFrames(3)), d =>
        {
            Assert.Equal(FrameFlags.EndStream, d.Flags);
            Assert.Equal(Body, d.Payload);
        });
        Assert.Equal(0, h.ResponseDecoder.DynamicTableCount); // the block never asks the peer to index anything
        Assert.Equal(0, h.Session.ActiveStreamCount);

        // A response the normal way afterwards still decodes: the HPACK state stayed in step.
        h.Frames.Clear();
        h.Request(5);
        h.Respond(5, headers: ("x-after", "yes"));
        Assert.Equal("yes", h.Frames[0].Header("x-after"));
    }

    [Fact]
    public void A_pending_table_size_update_comes_first()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.HeaderTableSize, 0));
        h.ResponseDecoder.MaxDynamicTableSize = 0; // insists on the size update first
        h.Request(1);

        Assert.True(h.Session.SendPrebuilt(1, Hello(), out _));
        h.Drain();

        Frame headers = h.Frames[0];
        Assert.Equal(0x20, headers.HeaderBlock![0]); // dynamic table size update to 0 (RFC 7541 §4.2)
        Assert.Equal("text/plain", headers.Header("content-type"));
        Assert.Equal(Body, Assert.Single(h.DataFrames(1)).Payload);
    }

    [Fact]
    public void A_window_smaller_than_the_body_sends_what_it_allows_and_the_rest_after_window_update()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 5));
        h.Request(1);

        Assert.True(h.Session.SendPrebuilt(1, Hello(), out int sent));
        h.Drain();
        Assert.Equal(Body.Length, sent); // buffered by the session: the caller has nothing left to do
        Assert.Equal([5], h.DataFrames(1).Select(f => f.Payload.Length));

        h.Frames.Clear();
        h.Send(FrameBuilder.WindowUpdate(1, 100));
        Frame rest = Assert.Single(h.DataFrames(1));
        Assert.Equal(FrameFlags.EndStream, rest.Flags);
        Assert.Equal(Body[5..], rest.Payload);
    }

    [Fact]
    public void Without_a_body_the_headers_end_the_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        var head = new PrebuiltResponse(200, [new("content-length", "12")], []);

        Assert.True(h.Session.SendPrebuilt(1, head, out _));
        h.Drain();

        Frame headers = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Headers, FrameFlags.EndHeaders | FrameFlags.EndStream), (headers.Type, headers.Flags));
        Assert.Equal("12", headers.Header("content-length"));
    }

    [Fact]
    public void A_request_still_sending_its_body_stays_half_closed_and_a_reset_stream_is_refused()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        Assert.True(h.Session.SendPrebuilt(1, Hello(), out _));
        h.Drain();
        h.Frames.Clear();

        // The response was first: the client's remaining body is accepted and discarded, then its END_STREAM closes.
        h.Send(FrameBuilder.Data(1, [1, 2, 3], endStream: true));
        h.AssertAlive();
        Assert.Equal(0, h.Session.ActiveStreamCount);

        h.Request(3);
        h.Send(FrameBuilder.RstStream(3, Http2ErrorCode.Cancel));
        Assert.False(h.Session.SendPrebuilt(3, Hello(), out _));
        Assert.Throws<InvalidOperationException>(() => SendTwice(h));
    }

    [Fact]
    public void An_idle_connection_gives_back_its_buffers_and_serves_the_next_request_normally()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1, body: Body);
        h.Frames.Clear();

        h.Heartbeat(); // idle: the output and scratch buffers go back to the pool
        h.Request(3);
        h.Respond(3, body: Body, headers: ("x-n", "3"));

        Assert.Equal("3", h.Frames[0].Header("x-n"));
        Assert.Equal(Body, Assert.Single(h.DataFrames(3)).Payload);
    }

    private static void SendTwice(SessionHarness h)
    {
        h.Request(5, endStream: false);
        h.Session.SendHeaders(5, 200, [], endStream: false);
        h.Session.SendPrebuilt(5, Hello(), out _);
    }
}
