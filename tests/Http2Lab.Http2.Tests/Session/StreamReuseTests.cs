using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// A session reuses closed streams' objects for new streams: a new stream must start as if nothing came before —
/// full windows both ways, no pending data, no content-length or body state left from the last one.
/// </summary>
public class StreamReuseTests
{
    [Fact]
    public void A_stream_after_one_that_used_up_its_window_gets_the_whole_initial_window()
    {
        using var h = new SessionHarness(new Http2Limits { InitialStreamWindowSize = 65535, InitialConnectionWindowSize = 1_000_000 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16383, endStream: true));
        h.Respond(1, body: [1, 2, 3]);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.Frames.Clear();

        // Stream 3 may send a whole initial window again; one octet more is still refused.
        h.Request(3, endStream: false);
        h.Send(FrameBuilder.Data(3, 16384), FrameBuilder.Data(3, 16384), FrameBuilder.Data(3, 16384), FrameBuilder.Data(3, 16383));
        h.AssertNoOutput();
        Assert.Equal(65535, h.Handler.BodyOf(3).Length);
        h.Send(FrameBuilder.Data(3, 1));
        h.AssertRst(3, Http2ErrorCode.FlowControlError);
        h.AssertAlive();
    }

    [Fact]
    public void A_stream_after_one_reset_with_pending_response_data_sends_only_its_own()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 10));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(1000)); // 10 octets go, 990 wait for window
        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        h.Frames.Clear();

        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 65535)));
        h.Request(3);
        h.Respond(3, body: [7, 8, 9]);

        List<Frame> data = h.DataFrames(3);
        Assert.Equal([7, 8, 9], data.SelectMany(f => f.Payload).ToArray());
        Assert.True(data[^1].EndStream);
        Assert.Empty(h.DataFrames(1));
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void A_stream_after_one_with_a_content_length_does_not_inherit_it()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false, ("content-length", "3"));
        h.Send(FrameBuilder.Data(1, 3, endStream: true));
        h.Respond(1, body: [1]);
        h.Frames.Clear();

        // No content-length on stream 3: any amount is fine (a leftover 3 would make 5 octets a PROTOCOL_ERROR).
        h.Request(3, endStream: false);
        h.Send(FrameBuilder.Data(3, 5, endStream: true));
        h.AssertAlive();
        Assert.Equal(5, h.Handler.BodyOf(3).Length);
        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.RstStream);
    }
}
