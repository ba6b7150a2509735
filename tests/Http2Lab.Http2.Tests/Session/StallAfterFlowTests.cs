using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// The minimum data rates are measured in windows of the grace period: octets that moved before a stall do not buy
/// the stalled transfer time, and when the client holds every stream, all of them are reset together — also those
/// that only wait for room in the connection's response buffer (found over sockets: 100 stalled streams once took
/// minutes, one buffer's worth at a time, and a client that stopped reading after a large download was held for
/// minutes at 240 octets/s).
/// </summary>
public class StallAfterFlowTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Output_that_flowed_for_a_minute_and_then_stops_draining_is_given_up_within_two_windows()
    {
        using var h = new SessionHarness(new Http2Limits { MinResponseDataRate = 240, DataRateGracePeriod = Grace, MaxPingsPerSecond = 100_000 });
        h.Handshake();
        h.Heartbeat();

        // A minute of healthy traffic with output always queued: megabytes drained, never idle at a heartbeat.
        for (int i = 0; i < 60; i++)
        {
            h.Send(FrameBuilder.Concat([.. Enumerable.Range(0, 200).Select(p => FrameBuilder.Ping((ulong)p))]), drain: false);
            h.Session.AdvanceOutput(h.Session.PendingOutput.Length - 17); // all but one PING ACK leaves
            h.AdvanceAndBeat(Second, drain: false);
        }

        Assert.False(h.Session.RequiresAbort);

        // The client stops reading its socket.
        h.Send(FrameBuilder.Ping(1), drain: false);
        h.AdvanceAndBeat(2 * Grace + 2 * Second, drain: false);
        Assert.True(h.Session.RequiresAbort);
    }

    [Fact]
    public void When_the_client_holds_every_stream_all_are_reset_together_with_those_waiting_for_buffer_room()
    {
        using var h = new SessionHarness(new Http2Limits
        {
            MinResponseDataRate = 240,
            DataRateGracePeriod = Grace,
            StreamOutputBufferSize = 16 * 1024,
            ConnectionResponseBufferSize = 32 * 1024,
        });
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        var waiting = new List<int>();
        for (int id = 1; id <= 19; id += 2)
        {
            h.Request(id);
            Assert.True(h.Session.SendHeaders(id, 200, [], endStream: false));
            Assert.True(h.Session.TryWriteData(id, FrameBuilder.Pattern(20_000), endStream: true, out int accepted));
            if (accepted == 0)
            {
                waiting.Add(id); // the buffer is full of the first streams' data: these wait for room
            }
        }

        Assert.Equal(8, waiting.Count);
        Assert.Equal(32 * 1024, h.Session.BufferedResponseOctets);
        h.Frames.Clear();

        h.AdvanceAndBeat(Grace + 2 * Second);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 1 + (2 * i)), h.Frames.Where(f => f.Type == FrameType.RstStream).Select(f => f.StreamId).Order());
        Assert.All(h.Frames.Where(f => f.Type == FrameType.RstStream), f => Assert.Equal(Http2ErrorCode.Cancel, f.ErrorCode));
        Assert.Equal(0, h.Session.ActiveStreamCount);
        Assert.Equal(0, h.Session.BufferedResponseOctets);
    }
}
