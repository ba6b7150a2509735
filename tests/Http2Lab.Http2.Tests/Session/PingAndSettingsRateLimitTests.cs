using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// MaxPingsPerSecond and MaxSettingsPerSecond: each PING or SETTINGS costs us an ACK, so a client may send at most
/// a second's worth in a burst (a token bucket refilled continuously); more is ENHANCE_YOUR_CALM (RFC 9113 §10.5).
/// </summary>
public class PingAndSettingsRateLimitTests
{
    private const int Limit = 10;

    private static SessionHarness Connected()
    {
        var h = new SessionHarness(new Http2Limits { MaxPingsPerSecond = Limit, MaxSettingsPerSecond = Limit });
        h.Handshake();
        return h;
    }

    [Fact]
    public void A_burst_of_pings_over_the_limit_is_enhance_your_calm()
    {
        using SessionHarness h = Connected();
        for (int i = 0; i < Limit; i++)
        {
            h.Send(FrameBuilder.Ping((ulong)i));
        }

        Assert.Equal(Limit, h.Frames.Count(f => f.Type == FrameType.Ping && f.Flags == FrameFlags.Ack));
        h.Frames.Clear();

        h.Send(FrameBuilder.Ping(99));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
        Assert.Single(h.Frames); // the PING over the limit is not answered
        Assert.Contains("PING", goAway.DebugData);
    }

    [Fact]
    public void Pings_paced_at_the_limit_never_trip_it()
    {
        using SessionHarness h = Connected();
        h.Time.Advance(TimeSpan.FromMilliseconds(37));
        for (int i = 0; i < 30 * Limit; i++)
        {
            h.Send(FrameBuilder.Ping((ulong)i));
            h.Time.Advance(TimeSpan.FromSeconds(1.0 / Limit));
        }

        Assert.Equal(30 * Limit, h.Frames.Count);
        Assert.All(h.Frames, f => Assert.Equal((FrameType.Ping, FrameFlags.Ack), (f.Type, f.Flags)));
    }

    [Fact]
    public void The_ping_budget_refills_with_time()
    {
        using SessionHarness h = Connected();
        for (int second = 0; second < 5; second++)
        {
            h.Send(FrameBuilder.Concat([.. Enumerable.Range(0, Limit).Select(i => FrameBuilder.Ping((ulong)i))]));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(5 * Limit, h.Frames.Count(f => f.Type == FrameType.Ping));
        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.GoAway);
    }

    [Fact]
    public void Ping_acks_from_the_client_do_not_count()
    {
        using SessionHarness h = Connected();
        h.Send(FrameBuilder.Concat([.. Enumerable.Range(0, 10 * Limit).Select(i => FrameBuilder.Ping((ulong)i, ack: true))]));
        h.AssertNoOutput();
        for (int i = 0; i < Limit - 1; i++)
        {
            h.Send(FrameBuilder.Ping((ulong)i));
        }

        h.AssertAlive(); // the tenth PING
    }

    [Fact]
    public void A_burst_of_settings_over_the_limit_is_enhance_your_calm()
    {
        using SessionHarness h = Connected();
        for (int i = 0; i < Limit; i++)
        {
            h.Send(FrameBuilder.Settings((SettingsParameter.HeaderTableSize, 4096)));
        }

        Assert.Equal(Limit, h.Frames.Count(f => f.Type == FrameType.Settings && f.Flags == FrameFlags.Ack));
        h.Frames.Clear();

        h.Send(FrameBuilder.Settings());
        Frame goAway = h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
        Assert.Single(h.Frames);
        Assert.Contains("SETTINGS", goAway.DebugData);
    }

    [Fact]
    public void Settings_paced_at_the_limit_never_trip_it()
    {
        using SessionHarness h = Connected();
        h.Time.Advance(TimeSpan.FromMilliseconds(13));
        for (int i = 0; i < 30 * Limit; i++)
        {
            h.Send(FrameBuilder.Settings());
            h.Time.Advance(TimeSpan.FromSeconds(1.0 / Limit));
        }

        Assert.Equal(30 * Limit, h.Frames.Count);
        Assert.All(h.Frames, f => Assert.Equal((FrameType.Settings, FrameFlags.Ack), (f.Type, f.Flags)));
    }

    [Fact]
    public void The_first_settings_and_settings_acks_do_not_count()
    {
        using var h = new SessionHarness(new Http2Limits { MaxSettingsPerSecond = 1 });
        h.Handshake(); // the client's first SETTINGS, and its ACK of ours
        h.Send(FrameBuilder.SettingsAck(), FrameBuilder.SettingsAck());
        h.AssertNoOutput();

        h.Send(FrameBuilder.Settings());
        Assert.Equal((FrameType.Settings, FrameFlags.Ack), (Assert.Single(h.Frames).Type, h.Frames[0].Flags));
        h.Frames.Clear();
        h.Send(FrameBuilder.Settings());
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }

    [Fact]
    public void Pings_and_settings_have_separate_budgets()
    {
        using SessionHarness h = Connected();
        for (int i = 0; i < Limit; i++)
        {
            h.Send(FrameBuilder.Ping((ulong)i), FrameBuilder.Settings());
        }

        Assert.Equal(2 * Limit, h.Frames.Count);
        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.GoAway);
    }
}
