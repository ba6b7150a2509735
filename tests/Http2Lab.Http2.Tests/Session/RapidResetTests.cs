using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>CVE-2023-44487: streams opened and reset at once are limited per second.</summary>
public class RapidResetTests
{
    [Fact]
    public void More_than_max_reset_streams_per_second_is_enhance_your_calm()
    {
        using var h = new SessionHarness();
        h.Handshake();
        for (int i = 0; i < 200; i++)
        {
            int id = 1 + (2 * i);
            h.Send(h.Client.Request(id, endStream: false), FrameBuilder.RstStream(id, Http2ErrorCode.Cancel));
        }

        h.AssertNoOutput();
        Assert.Equal(200, h.Handler.Resets.Count());
        Assert.False(h.Session.IsCompleted);

        h.Send(h.Client.Request(401, endStream: false), FrameBuilder.RstStream(401, Http2ErrorCode.Cancel));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
        Assert.Equal(401, goAway.LastStreamId);
    }

    [Fact]
    public void Resets_spread_over_time_are_allowed()
    {
        using var h = new SessionHarness(new Http2Limits { MaxResetStreamsPerSecond = 10 });
        h.Handshake();
        int id = 1;
        for (int second = 0; second < 5; second++)
        {
            for (int i = 0; i < 10; i++, id += 2)
            {
                h.Send(h.Client.Request(id, endStream: false), FrameBuilder.RstStream(id, Http2ErrorCode.Cancel));
            }

            h.Time.Advance(TimeSpan.FromMilliseconds(1001));
        }

        h.AssertNoOutput();
        Assert.Equal(50, h.Handler.Resets.Count());
    }

    [Fact]
    public void A_burst_beyond_one_seconds_worth_trips_the_limit()
    {
        using var h = new SessionHarness(new Http2Limits { MaxResetStreamsPerSecond = 10 });
        h.Handshake();
        for (int i = 0; i < 10; i++)
        {
            int id = 1 + (2 * i);
            h.Send(h.Client.Request(id, endStream: false), FrameBuilder.RstStream(id, Http2ErrorCode.Cancel));
        }

        h.AssertNoOutput();
        h.Send(h.Client.Request(21, endStream: false), FrameBuilder.RstStream(21, Http2ErrorCode.Cancel));
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }

    [Fact]
    public void Resets_paced_at_the_limit_never_trip_it_whatever_the_phase()
    {
        // A token bucket, not fixed one-second windows: 10 per second, evenly paced, for 30 seconds.
        using var h = new SessionHarness(new Http2Limits { MaxResetStreamsPerSecond = 10 });
        h.Handshake();
        h.Time.Advance(TimeSpan.FromMilliseconds(37));
        for (int i = 0; i < 300; i++)
        {
            int id = 1 + (2 * i);
            h.Send(h.Client.Request(id, endStream: false), FrameBuilder.RstStream(id, Http2ErrorCode.Cancel));
            h.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        h.AssertNoOutput();
        Assert.Equal(300, h.Handler.Resets.Count());
    }

    [Fact]
    public void Refused_streams_count_toward_the_limit()
    {
        using var h = new SessionHarness(new Http2Limits { MaxConcurrentStreams = 1, MaxResetStreamsPerSecond = 10 });
        h.Handshake();
        h.Request(1, endStream: false);
        for (int i = 0; i < 10; i++)
        {
            h.Send(h.Client.Request(3 + (2 * i)));
        }

        Assert.Equal(10, h.Frames.Count(f => f.Type == FrameType.RstStream && f.ErrorCode == Http2ErrorCode.RefusedStream));
        h.Frames.Clear();
        h.Send(h.Client.Request(23));
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }

    [Fact]
    public void Resets_of_already_closed_streams_do_not_count()
    {
        using var h = new SessionHarness(new Http2Limits { MaxResetStreamsPerSecond = 2 });
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();
        for (int i = 0; i < 10; i++)
        {
            h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        }

        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Stream_errors_the_client_provokes_count_toward_the_limit()
    {
        // "MadeYouReset": instead of RST_STREAM the client sends a zero-increment WINDOW_UPDATE,
        // which makes us reset the stream (§6.9) after the application already started on it.
        using var h = new SessionHarness(new Http2Limits { MaxResetStreamsPerSecond = 10 });
        h.Handshake();
        for (int i = 0; i < 10; i++)
        {
            int id = 1 + (2 * i);
            h.Send(h.Client.Request(id, endStream: false), FrameBuilder.WindowUpdate(id, 0));
            h.AssertRst(id, Http2ErrorCode.ProtocolError);
            h.Frames.Clear();
        }

        Assert.False(h.Session.IsCompleted);
        h.Send(h.Client.Request(21, endStream: false), FrameBuilder.WindowUpdate(21, 0));
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }
}
