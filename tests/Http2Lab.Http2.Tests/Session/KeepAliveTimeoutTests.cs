using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// KeepAliveTimeout: a connection with no open stream that completes no frame for this long gets GOAWAY NO_ERROR
/// (RFC 9113 §6.8, a graceful close) and completes. Checked by <see cref="Http2Session.OnHeartbeat"/>.
/// </summary>
public class KeepAliveTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static SessionHarness Connected()
    {
        var h = new SessionHarness(new Http2Limits { KeepAliveTimeout = Timeout });
        h.Handshake();
        h.Heartbeat();
        return h;
    }

    [Fact]
    public void An_idle_connection_gets_goaway_no_error_and_completes()
    {
        using SessionHarness h = Connected();
        h.AdvanceAndBeat(Timeout);
        h.AssertNoOutput();
        Assert.False(h.Session.IsCompleted);

        h.AdvanceAndBeat(TimeSpan.FromSeconds(1));
        Assert.Equal(0, h.AcknowledgeShutdown().LastStreamId);
        Assert.True(h.Session.IsCompleted);
        Assert.Null(h.Session.ConnectionErrorCode); // a graceful close, not an error
    }

    [Fact]
    public void The_goaway_names_the_last_stream_that_was_served()
    {
        using SessionHarness h = Connected();
        h.Request(1);
        h.Respond(1);
        h.Request(3);
        h.Respond(3);
        h.Frames.Clear();

        h.AdvanceAndBeat(Timeout + TimeSpan.FromSeconds(2));
        Assert.Equal(3, h.AcknowledgeShutdown().LastStreamId);
    }

    [Fact]
    public void An_open_stream_keeps_the_connection_alive()
    {
        using SessionHarness h = Connected();
        h.Request(1); // never answered: a slow handler, not an idle client

        h.AdvanceAndBeat(10 * Timeout);
        h.AssertNoOutput();
        h.AssertAlive();
        Assert.Equal(1, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void The_idle_time_starts_when_the_last_stream_ends()
    {
        using SessionHarness h = Connected();
        h.Request(1);
        h.AdvanceAndBeat(3 * Timeout);
        h.Respond(1);
        h.Frames.Clear();

        h.AdvanceAndBeat(Timeout - TimeSpan.FromSeconds(1));
        h.AssertNoOutput();
        h.AdvanceAndBeat(TimeSpan.FromSeconds(2));
        h.AcknowledgeShutdown();
    }

    [Fact]
    public void Frames_keep_the_connection_alive()
    {
        using SessionHarness h = Connected();
        for (int i = 0; i < 20; i++)
        {
            h.AdvanceAndBeat(TimeSpan.FromSeconds(5));
            h.Send(FrameBuilder.Ping((ulong)i));
        }

        Assert.Equal(20, h.Frames.Count);
        Assert.All(h.Frames, f => Assert.Equal((FrameType.Ping, FrameFlags.Ack), (f.Type, f.Flags)));
        h.Frames.Clear();

        // Once they stop, the timeout runs from the last one.
        h.AdvanceAndBeat(Timeout);
        h.AssertNoOutput();
        h.AdvanceAndBeat(TimeSpan.FromSeconds(2));
        h.AcknowledgeShutdown();
    }

    [Fact]
    public void A_frame_dripped_octet_by_octet_does_not_keep_the_connection_alive()
    {
        using SessionHarness h = Connected();
        byte[] unknown = FrameBuilder.Raw((FrameType)0xFA, FrameFlags.None, 0, new byte[1000]);
        int sent = 0;
        while (!h.Session.IsShuttingDown && sent < 100)
        {
            h.Send(unknown[sent..(sent + 1)]);
            sent++;
            h.AdvanceAndBeat(TimeSpan.FromSeconds(1));
        }

        h.TakeShutdownAnnouncement();
        Assert.InRange(sent, 10, 12);
    }

    [Fact]
    public void Requests_after_the_keep_alive_goaway_are_ignored()
    {
        using SessionHarness h = Connected();
        h.AdvanceAndBeat(Timeout + TimeSpan.FromSeconds(1));
        h.AcknowledgeShutdown();

        h.Send(h.Client.Request(1));
        h.AssertNoOutput();
        Assert.Empty(h.Handler.Requests);
        Assert.True(h.Session.IsCompleted);
    }
}
