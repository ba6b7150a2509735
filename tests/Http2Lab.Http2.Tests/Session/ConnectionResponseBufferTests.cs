using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// ConnectionResponseBufferSize: response octets buffered for all streams together, waiting for the client's windows,
/// never exceed the limit; writers cut short by it are woken (<see cref="IHttp2SessionHandler.OnStreamWritable"/>) once
/// room frees up, so a client that does not read cannot make us hold more, and nothing is lost or stuck.
/// </summary>
public class ConnectionResponseBufferTests
{
    private const int Budget = 64 * 1024;
    private const int PerStream = 16 * 1024;

    private static SessionHarness Connected(uint clientWindow) =>
        Connected(new Http2Limits { ConnectionResponseBufferSize = Budget, StreamOutputBufferSize = PerStream }, clientWindow);

    private static SessionHarness Connected(Http2Limits limits, uint clientWindow)
    {
        var h = new SessionHarness(limits);
        h.Handshake((SettingsParameter.InitialWindowSize, clientWindow));
        return h;
    }

    /// <summary>Ten streams each offer 20000 octets while every window is closed; returns what each accepted.</summary>
    private static Dictionary<int, int> FillWithTenStreams(SessionHarness h)
    {
        var accepted = new Dictionary<int, int>();
        for (int id = 1; id <= 19; id += 2)
        {
            h.Request(id);
            Assert.True(h.Session.SendHeaders(id, 200, [], endStream: false));
            Assert.True(h.Session.TryWriteData(id, FrameBuilder.Pattern(20_000), endStream: true, out int n));
            accepted[id] = n;
            Assert.InRange(h.Session.BufferedResponseOctets, 0, Budget);
        }

        h.Drain();
        h.Frames.Clear();
        return accepted;
    }

    [Fact]
    public void The_sum_of_buffered_response_octets_never_exceeds_the_limit()
    {
        using SessionHarness h = Connected(clientWindow: 0);
        Dictionary<int, int> accepted = FillWithTenStreams(h);

        // The first four fill their own buffers (16 KiB each) and with them the connection's; the rest get nothing.
        Assert.Equal([PerStream, PerStream, PerStream, PerStream, 0, 0, 0, 0, 0, 0], accepted.Values);
        Assert.Equal(Budget, h.Session.BufferedResponseOctets);
        Assert.Equal(0, h.Session.GetWriteCapacity(9));
        Assert.Equal(0, h.Session.GetWriteCapacity(1));
        Assert.Empty(h.Handler.Writables);
    }

    [Fact]
    public void Writers_cut_short_by_the_connection_limit_are_woken_when_room_frees_up()
    {
        using SessionHarness h = Connected(clientWindow: 0);
        FillWithTenStreams(h);

        // Streams 1 and 3 may send 16 KiB each: half the budget frees up.
        h.Send(FrameBuilder.WindowUpdate(1, PerStream), FrameBuilder.WindowUpdate(3, PerStream));
        Assert.Equal([1, 3], h.Frames.Where(f => f.Type == FrameType.Data).Select(f => f.StreamId));
        Assert.Equal(Budget / 2, h.Session.BufferedResponseOctets);

        // Woken: the six that got nothing. Stream 7's own buffer is full as well: only its window can help it.
        Assert.Equal([1, 3, 9, 11, 13, 15, 17, 19], h.Handler.Writables.Select(w => w.StreamId).Order());
        Assert.Equal(PerStream, h.Session.GetWriteCapacity(9));

        Assert.True(h.Session.TryWriteData(9, FrameBuilder.Pattern(20_000), endStream: true, out int accepted));
        Assert.Equal(PerStream, accepted);
        Assert.True(h.Session.TryWriteData(11, FrameBuilder.Pattern(20_000), endStream: true, out accepted));
        Assert.Equal(PerStream, accepted);
        Assert.True(h.Session.TryWriteData(13, FrameBuilder.Pattern(20_000), endStream: true, out accepted));
        Assert.Equal(0, accepted);
        Assert.Equal(Budget, h.Session.BufferedResponseOctets);
    }

    [Fact]
    public void Room_freed_by_a_reset_wakes_the_writers_that_were_cut_short()
    {
        using SessionHarness h = Connected(clientWindow: 0);
        FillWithTenStreams(h);

        h.Send(FrameBuilder.RstStream(1, Http2ErrorCode.Cancel));
        Assert.Equal(Budget - PerStream, h.Session.BufferedResponseOctets);
        Assert.Empty(h.Handler.Writables); // three quarters full: not yet

        h.Send(FrameBuilder.RstStream(3, Http2ErrorCode.Cancel));
        Assert.Equal(Budget / 2, h.Session.BufferedResponseOctets);
        Assert.Equal([9, 11, 13, 15, 17, 19], h.Handler.Writables.Select(w => w.StreamId).Order());
    }

    [Fact]
    public void Many_streams_writing_more_than_the_windows_allow_all_finish_within_the_limit()
    {
        using var h = new SessionHarness(new Http2Limits { StreamOutputBufferSize = PerStream, ConnectionResponseBufferSize = Budget });
        h.Handshake((SettingsParameter.InitialWindowSize, 8192));
        List<BridgeWriter> writers = [];
        for (int id = 1; id <= 39; id += 2)
        {
            h.Request(id);
            Assert.True(h.Session.SendHeaders(id, 200, [], endStream: false));
            writers.Add(new BridgeWriter(h, id, FrameBuilder.Pattern(100_000)));
        }

        BridgeWriter.Attach(h, [.. writers]);
        int maxBuffered = 0;
        foreach (BridgeWriter writer in writers)
        {
            writer.Write();
            maxBuffered = Math.Max(maxBuffered, h.Session.BufferedResponseOctets);
        }

        for (int round = 0; writers.Any(w => !w.Done) || h.Session.ActiveStreamCount > 0; round++)
        {
            Assert.True(round < 2000, $"stuck: {string.Join(", ", writers.Where(w => !w.Done).Select(w => $"{w.StreamId}@{w.Offset}"))}");
            h.Drain();
            h.Send(FrameBuilder.Concat([FrameBuilder.WindowUpdate(0, 20 * 8192), .. writers.Select(w => FrameBuilder.WindowUpdate(w.StreamId, 8192))]));
            maxBuffered = Math.Max(maxBuffered, h.Session.BufferedResponseOctets);
            BridgeWriter.RunWoken(writers);
            maxBuffered = Math.Max(maxBuffered, h.Session.BufferedResponseOctets);
        }

        h.Drain();
        Assert.InRange(maxBuffered, Budget / 2, Budget);
        Assert.Equal(0, h.Session.BufferedResponseOctets);
        foreach (BridgeWriter writer in writers)
        {
            List<Frame> data = [.. h.AllFrames.Where(f => f.Type == FrameType.Data && f.StreamId == writer.StreamId)];
            Assert.Equal(FrameBuilder.Pattern(100_000), data.SelectMany(f => f.Payload).ToArray());
            Assert.True(data[^1].EndStream);
        }
    }
}
