using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// MinResponseDataRate with DataRateGracePeriod: response data that waits for a window only the client can open is
/// reset with CANCEL once the client takes less than the rate; output the driver cannot write (the client does not
/// read its socket) makes the session give up (<see cref="Http2Session.RequiresAbort"/>).
/// </summary>
public class ResponseDataRateTests
{
    private const int Rate = 240;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static SessionHarness Connected(uint clientWindow, int rate = Rate)
    {
        var h = new SessionHarness(new Http2Limits { MinResponseDataRate = rate, DataRateGracePeriod = Grace, MaxPingsPerSecond = 100_000 });
        h.Handshake((SettingsParameter.InitialWindowSize, clientWindow));
        h.Heartbeat();
        return h;
    }

    [Fact]
    public void A_response_waiting_for_a_window_that_stays_closed_is_reset_with_cancel_and_its_memory_released()
    {
        using SessionHarness h = Connected(clientWindow: 1000);
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.True(h.Session.TryWriteData(1, FrameBuilder.Pattern(20_000), endStream: true, out int accepted));
        Assert.Equal(20_000, accepted);
        h.Drain();
        Assert.Equal([1000], h.DataFrames(1).Select(f => f.Payload.Length));
        Assert.Equal(19_000, h.Session.BufferedResponseOctets);
        h.Frames.Clear();

        h.AdvanceAndBeat(Grace);
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        h.AssertRst(1, Http2ErrorCode.Cancel);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.Cancel)], h.Handler.Resets);
        Assert.Equal(0, h.Session.BufferedResponseOctets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.AssertAlive();
    }

    [Theory]
    [InlineData(Rate, false)]
    [InlineData(Rate - 1, true)]
    public void A_client_that_opens_its_window_at_the_minimum_rate_is_never_reset(int octetsPerSecond, bool reset)
    {
        using SessionHarness h = Connected(clientWindow: 0);
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(60_000));
        h.Frames.Clear();
        for (int i = 0; i < 60 && !h.Frames.Any(f => f.Type == FrameType.RstStream); i++)
        {
            h.Send(FrameBuilder.WindowUpdate(1, octetsPerSecond));
            h.AdvanceAndBeat(Second);
        }

        if (reset)
        {
            h.AssertRst(1, Http2ErrorCode.Cancel);
        }
        else
        {
            Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.RstStream);
            Assert.Equal(60 * octetsPerSecond, h.DataFrames(1).Sum(f => f.Payload.Length));
        }
    }

    [Fact]
    public void A_response_with_nothing_to_send_is_not_timed()
    {
        using SessionHarness h = Connected(clientWindow: 0);
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false)); // the handler is still computing the body

        h.AdvanceAndBeat(TimeSpan.FromSeconds(60));
        h.Drain();
        Assert.Equal([FrameType.Headers], h.Frames.Select(f => f.Type));
        Assert.Equal(1, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Output_that_is_never_drained_requires_an_abort_after_the_grace_period()
    {
        using SessionHarness h = Connected(clientWindow: 65535);
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.True(h.Session.TryWriteData(1, FrameBuilder.Pattern(1000), endStream: false, out _));
        h.Send(FrameBuilder.Ping(1), drain: false);
        Assert.True(h.Session.HasPendingOutput);

        h.AdvanceAndBeat(Grace, drain: false);
        Assert.False(h.Session.RequiresAbort);
        Assert.False(h.Session.IsCompleted);
        h.AdvanceAndBeat(Second, drain: false);
        Assert.True(h.Session.RequiresAbort);
        Assert.True(h.Session.IsCompleted);
        Assert.False(h.Session.HasPendingOutput); // nothing more can be delivered; everything is released
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, h.Session.ConnectionErrorCode);
        Assert.Equal([1], h.Handler.Resets.Select(r => r.StreamId));
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Theory]
    [InlineData(Rate, false)]
    [InlineData(Rate - 1, true)]
    public void Output_written_out_at_the_minimum_rate_is_never_aborted(int octetsPerSecond, bool abort)
    {
        using SessionHarness h = Connected(clientWindow: 65535);
        h.Send(FrameBuilder.Concat([.. Enumerable.Range(0, 1000).Select(i => FrameBuilder.Ping((ulong)i))]), drain: false);
        Assert.Equal(17_000, h.Session.PendingOutput.Length);
        for (int i = 0; i < 60 && !h.Session.RequiresAbort; i++)
        {
            h.Session.AdvanceOutput(octetsPerSecond); // the transport manages only this much
            h.AdvanceAndBeat(Second, drain: false);
        }

        Assert.Equal(abort, h.Session.RequiresAbort);
        Assert.Equal(abort, h.Session.IsCompleted);
    }

    [Fact]
    public void Output_drained_between_heartbeats_is_never_timed()
    {
        using SessionHarness h = Connected(clientWindow: 65535);
        for (int i = 0; i < 60; i++)
        {
            h.Send(FrameBuilder.Ping((ulong)i)); // answered and written out at once
            h.AdvanceAndBeat(Second);
        }

        Assert.False(h.Session.RequiresAbort);
        h.AssertAlive();
    }

    [Fact]
    public void Zero_disables_the_response_rate_for_streams()
    {
        using SessionHarness h = Connected(clientWindow: 0, rate: 0);
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(1000));
        h.Frames.Clear();

        h.AdvanceAndBeat(TimeSpan.FromSeconds(600));
        h.AssertNoOutput();
        Assert.Equal(1000, h.Session.BufferedResponseOctets);
    }

    [Fact]
    public void Zero_disables_the_output_rate()
    {
        using SessionHarness h = Connected(clientWindow: 65535, rate: 0);
        h.Request(1); // an open stream: the keep-alive timeout does not apply
        h.Send(FrameBuilder.Ping(1), drain: false);

        h.AdvanceAndBeat(TimeSpan.FromSeconds(600), drain: false);
        Assert.False(h.Session.RequiresAbort);
        Assert.False(h.Session.IsCompleted);
        h.Drain();
        Assert.Equal(FrameType.Ping, Assert.Single(h.Frames).Type);
    }
}
