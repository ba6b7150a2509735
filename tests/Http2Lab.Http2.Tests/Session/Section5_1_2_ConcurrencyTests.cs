using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §5.1.2: SETTINGS_MAX_CONCURRENT_STREAMS.</summary>
public class Section5_1_2_ConcurrencyTests
{
    [Fact]
    public void The_101st_concurrent_stream_is_refused_with_refused_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        for (int i = 0; i < 100; i++)
        {
            h.Send(h.Client.Request(1 + (2 * i), endStream: i % 2 == 0)); // open and half-closed (remote) both count
        }

        h.AssertNoOutput();
        Assert.Equal(100, h.Session.ActiveStreamCount);

        h.Send(h.Client.Request(201));
        h.AssertRst(201, Http2ErrorCode.RefusedStream);
        Assert.Equal(100, h.Handler.Requests.Count());
        Assert.DoesNotContain(h.Handler.Requests, r => r.StreamId == 201);
        Assert.Empty(h.Handler.Resets); // the application never saw stream 201
        Assert.Equal(201, h.Session.LastClientStreamId);
        h.Frames.Clear();

        // A refused stream's frames in flight are ignored.
        h.Send(FrameBuilder.Data(201, 10));
        h.AssertNoOutput();

        // Once a stream finishes there is room again.
        h.Respond(1);
        h.Frames.Clear();
        h.Send(h.Client.Request(203));
        h.AssertNoOutput();
        Assert.Contains(h.Handler.Requests, r => r.StreamId == 203);
    }

    [Fact]
    public void Configured_limit_is_advertised_and_enforced()
    {
        using var h = new SessionHarness(new Http2Limits { MaxConcurrentStreams = 2 });
        h.Send(FrameBuilder.Preface());
        Assert.Contains(new KeyValuePair<SettingsParameter, uint>(SettingsParameter.MaxConcurrentStreams, 2), h.Frames[0].Settings);
        h.Frames.Clear();
        h.Send(FrameBuilder.Settings(), FrameBuilder.SettingsAck());
        h.Frames.Clear();

        h.Request(1, endStream: false);
        h.Request(3, endStream: false);
        h.Send(h.Client.Request(5, endStream: false));
        h.AssertRst(5, Http2ErrorCode.RefusedStream);
        h.Frames.Clear();

        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.Request(7, endStream: false);
        h.AssertNoOutput();
        Assert.Equal(2, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Refused_stream_header_block_is_still_decoded_so_hpack_stays_in_step()
    {
        using var h = new SessionHarness(new Http2Limits { MaxConcurrentStreams = 1 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(h.Client.Request(3, endStream: true, ("x-new-field", "goes-into-the-dynamic-table")));
        h.AssertRst(3, Http2ErrorCode.RefusedStream);
        h.Frames.Clear();

        h.Respond(1);
        h.Send(FrameBuilder.Data(1, 0, endStream: true));
        h.Frames.Clear();
        // This block refers to the entry added by the refused one (an indexed field, not a literal).
        RequestEvent request = h.Request(5, endStream: true, ("x-new-field", "goes-into-the-dynamic-table"));
        Assert.Contains(new KeyValuePair<string, string>("x-new-field", "goes-into-the-dynamic-table"), request.Request.Headers);
    }
}
