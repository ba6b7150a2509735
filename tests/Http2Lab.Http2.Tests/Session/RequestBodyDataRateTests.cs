using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// MinRequestBodyDataRate with DataRateGracePeriod: a request body slower than the rate, while the client may send
/// (both windows open), is reset once the grace period has passed — CANCEL, or NO_ERROR when our response is already
/// complete (RFC 9113 §8.1). Time that we hold the client back with flow control does not count.
/// </summary>
public class RequestBodyDataRateTests
{
    private const int Rate = 240;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static SessionHarness Connected(Http2Limits? limits = null)
    {
        limits ??= new Http2Limits();
        limits.MinRequestBodyDataRate = Rate;
        limits.DataRateGracePeriod = Grace;
        var h = new SessionHarness(limits);
        h.Handshake();
        h.Heartbeat();
        return h;
    }

    [Fact]
    public void A_stalled_request_body_is_reset_with_cancel_after_the_grace_period()
    {
        using SessionHarness h = Connected();
        h.Request(1, endStream: false);

        h.AdvanceAndBeat(Grace);
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        h.AssertRst(1, Http2ErrorCode.Cancel);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.Cancel)], h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.AssertAlive();
    }

    [Theory]
    [InlineData(Rate, false)]
    [InlineData(Rate + 100, false)]
    [InlineData(Rate - 1, true)]
    public void A_body_sent_at_the_minimum_rate_is_never_reset(int octetsPerSecond, bool reset)
    {
        using SessionHarness h = Connected();
        h.Request(1, endStream: false);
        for (int i = 0; i < 60 && !h.Frames.Any(); i++)
        {
            h.Send(FrameBuilder.Data(1, octetsPerSecond));
            h.AdvanceAndBeat(Second);
        }

        if (reset)
        {
            h.AssertRst(1, Http2ErrorCode.Cancel);
        }
        else
        {
            h.AssertNoOutput();
            Assert.Equal(60 * octetsPerSecond, h.Handler.BodyOf(1).Length);
        }
    }

    [Fact]
    public void Octets_of_a_data_frame_still_arriving_count_toward_the_rate()
    {
        using SessionHarness h = Connected();
        h.Request(1, endStream: false);
        byte[] frame = FrameBuilder.Data(1, 16384);
        h.Send(frame[..9]);
        for (int i = 0; i < 60; i++)
        {
            h.Send(frame[(9 + (i * Rate))..(9 + ((i + 1) * Rate))]);
            h.AdvanceAndBeat(Second);
        }

        h.AssertNoOutput();
        Assert.Empty(h.Handler.Data); // 14400 of 16384 octets: the frame is not complete yet
    }

    [Fact]
    public void A_body_held_back_by_our_stream_window_is_not_reset()
    {
        // The application does not read: the client filled the stream window and may not send more.
        using SessionHarness h = Connected(new Http2Limits { InitialStreamWindowSize = 65535 });
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16383));

        h.AdvanceAndBeat(TimeSpan.FromSeconds(600));
        h.AssertNoOutput();
        Assert.Equal(1, h.Session.ActiveStreamCount);

        // The application reads: the window opens and the clock runs again. The octets sent before count for the
        // window in which they came, not for ever: a client that then sends nothing is reset a window later.
        h.Session.AcknowledgeData(1, 65535);
        h.Drain();
        Assert.Equal([(FrameType.WindowUpdate, 1)], h.TakeFrames().Where(f => f.StreamId == 1).Select(f => (f.Type, f.StreamId)));
        h.AdvanceAndBeat(Grace);
        h.AssertNoOutput();
        h.AdvanceAndBeat(Grace + TimeSpan.FromSeconds(2));
        h.AssertRst(1, Http2ErrorCode.Cancel);
    }

    [Fact]
    public void A_body_held_back_by_our_connection_window_is_not_reset()
    {
        using SessionHarness h = Connected(new Http2Limits { InitialStreamWindowSize = 65535, InitialConnectionWindowSize = 65535 });
        h.Request(1, endStream: false);
        h.Request(3, endStream: false); // has sent nothing, but the connection window is closed for it too
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16383));

        h.AdvanceAndBeat(TimeSpan.FromSeconds(600));
        h.AssertNoOutput();
        Assert.Equal(2, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void After_a_complete_response_a_stalled_body_is_reset_with_no_error()
    {
        using SessionHarness h = Connected();
        h.Request(1, endStream: false);
        h.Respond(1, status: 200, body: [1, 2, 3]);
        Assert.True(h.DataFrames(1)[^1].EndStream);
        h.Frames.Clear();

        h.AdvanceAndBeat(Grace);
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        h.AssertRst(1, Http2ErrorCode.NoError);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void A_finished_body_is_not_subject_to_the_rate()
    {
        using SessionHarness h = Connected();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 10, endStream: true));

        h.AdvanceAndBeat(TimeSpan.FromSeconds(60)); // the handler takes its time to answer
        h.AssertNoOutput();
        h.Respond(1);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.Empty(h.Handler.Resets);
    }

    [Fact]
    public void Zero_disables_the_request_body_rate()
    {
        using var h = new SessionHarness(new Http2Limits { MinRequestBodyDataRate = 0, DataRateGracePeriod = Grace });
        h.Handshake();
        h.Heartbeat();
        h.Request(1, endStream: false);

        h.AdvanceAndBeat(TimeSpan.FromSeconds(600));
        h.AssertNoOutput();
        Assert.Equal(1, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Each_stream_is_measured_on_its_own()
    {
        using SessionHarness h = Connected();
        h.Request(1, endStream: false);
        h.Request(3, endStream: false);
        for (int i = 0; i < 6; i++)
        {
            h.Send(FrameBuilder.Data(3, Rate));
            h.AdvanceAndBeat(Second);
        }

        h.AssertRst(1, Http2ErrorCode.Cancel);
        Assert.Equal(1, h.Session.ActiveStreamCount); // stream 3 lives on
    }
}
