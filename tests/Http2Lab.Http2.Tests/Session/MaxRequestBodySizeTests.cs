using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// MaxRequestBodySize: a larger <c>content-length</c> is answered with 413 by the session itself; a body that grows
/// past it without one is reset with CANCEL. Null means unlimited.
/// </summary>
public class MaxRequestBodySizeTests
{
    private const long Max = 1000;

    private static SessionHarness Connected(long? max = Max)
    {
        var h = new SessionHarness(new Http2Limits { MaxRequestBodySize = max });
        h.Handshake();
        return h;
    }

    [Fact]
    public void Content_length_above_the_limit_is_answered_413_without_the_handler()
    {
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1, ("content-length", (Max + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));

        Frame response = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Headers, 1, "413", true), (response.Type, response.StreamId, response.Status, response.EndStream));
        Assert.Equal("0", response.Header("content-length"));
        Assert.Empty(h.Handler.Events);
    }

    [Fact]
    public void Content_length_equal_to_the_limit_reaches_the_handler()
    {
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1, ("content-length", "1000")));
        Assert.Equal(1000, Assert.Single(h.Handler.Requests).Request.ContentLength);
        h.AssertNoOutput();

        h.Send(FrameBuilder.Data(1, 1000, endStream: true));
        h.AssertNoOutput();
        Assert.Equal(1000, h.Handler.BodyOf(1).Length);
    }

    [Fact]
    public void The_body_that_follows_a_413_is_stopped_with_no_error_only()
    {
        // §8.1: the response is complete, so the client may be asked to stop sending only with NO_ERROR — any other
        // code lets it discard the 413 it was meant to read.
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1, ("content-length", "5000")));
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 1000));
        h.AssertNoOutput();
        h.Send(FrameBuilder.Data(1, 1500));
        h.AssertRst(1, Http2ErrorCode.NoError);
        Assert.Empty(h.Handler.Requests);
        Assert.Empty(h.Handler.Data);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 2500, endStream: true)); // already in flight: ignored
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Discarded_body_after_a_413_returns_the_connection_credit()
    {
        using var h = new SessionHarness(new Http2Limits { MaxRequestBodySize = Max, InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Send(h.Client.Post(1, ("content-length", "40000")));
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 7232, endStream: true));
        Assert.Equal(
            [(FrameType.RstStream, 1), (FrameType.WindowUpdate, 0)],
            h.Frames.Select(f => (f.Type, f.StreamId)));
        Assert.Equal((Http2ErrorCode.NoError, 32768), (h.Frames[0].ErrorCode, h.Frames[1].Increment));
    }

    [Fact]
    public void A_body_growing_past_the_limit_after_a_complete_response_is_reset_with_no_error()
    {
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1));
        h.Respond(1, status: 200); // the handler answered early and still reads the body
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 1001));
        h.AssertRst(1, Http2ErrorCode.NoError);
    }

    [Fact]
    public void A_body_growing_past_the_limit_without_content_length_is_reset_with_cancel()
    {
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1));
        h.Send(FrameBuilder.Data(1, 600), FrameBuilder.Data(1, 400));
        h.AssertNoOutput();
        Assert.Equal(1000, h.Handler.BodyOf(1).Length);

        h.Send(FrameBuilder.Data(1, 1));
        h.AssertRst(1, Http2ErrorCode.Cancel);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.Cancel)], h.Handler.Resets);
        Assert.Equal(1000, h.Handler.BodyOf(1).Length); // the octet past the limit is not delivered
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.AssertAlive();
    }

    [Fact]
    public void Frames_in_flight_after_the_reset_are_ignored()
    {
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1));
        h.Send(FrameBuilder.Data(1, 1001));
        h.AssertRst(1, Http2ErrorCode.Cancel);
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 1000), FrameBuilder.Data(1, 0, endStream: true));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Padding_does_not_count_toward_the_body_size()
    {
        using SessionHarness h = Connected();
        h.Send(h.Client.Post(1));
        h.Send(FrameBuilder.Data(1, FrameBuilder.Pattern(1000), endStream: true, padLength: 200));
        h.AssertNoOutput();
        Assert.Equal(1000, h.Handler.BodyOf(1).Length);
    }

    [Fact]
    public void Null_means_unlimited()
    {
        using SessionHarness h = Connected(max: null);
        h.Send(h.Client.Post(1, ("content-length", "1000000000000")));
        Assert.Equal(1_000_000_000_000, Assert.Single(h.Handler.Requests).Request.ContentLength);
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384));
        h.AssertNoOutput();
    }
}
