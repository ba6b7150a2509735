using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// The contract of <see cref="Http2Session.TryWriteData"/>: when it accepts less than offered, the writer waits for
/// <see cref="IHttp2SessionHandler.OnStreamWritable"/> — so one must come after the call returned (or the stream ends),
/// and none may come while nothing more can be accepted.
/// </summary>
public class WriteWakeupTests
{
    [Fact]
    public void A_write_cut_short_while_another_stream_waits_for_its_window_is_woken_later()
    {
        // Stream 1's client does not read it; stream 3's window is wide open. Stream 1 waiting in the send queue
        // sends stream 3's writes through its buffer, which its open window empties within the same call.
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Send(FrameBuilder.WindowUpdate(0, 100_000_000));
        h.Request(1);
        h.Request(3);
        h.Respond(1, body: FrameBuilder.Pattern(1000), endStream: false);
        h.Send(FrameBuilder.WindowUpdate(3, 100_000_000));
        Assert.True(h.Session.SendHeaders(3, 200, [], endStream: false));

        byte[] body = FrameBuilder.Pattern(1_000_000);
        var writer = new BridgeWriter(h, 3, body);
        BridgeWriter.Attach(h, writer);
        writer.Write();
        for (int i = 0; i < 1000 && !writer.Done; i++)
        {
            h.Drain();
            BridgeWriter.RunWoken([writer]);
        }

        Assert.True(writer.Done, $"stream 3 waits forever after {writer.Offset} of {body.Length} octets: no OnStreamWritable came");
        h.Drain();
        List<Frame> data = [.. h.AllFrames.Where(f => f.Type == FrameType.Data && f.StreamId == 3)];
        Assert.Equal(body, data.SelectMany(f => f.Payload).ToArray());
        Assert.True(data[^1].EndStream);
    }

    [Fact]
    public void A_stream_whose_own_buffer_is_full_is_not_told_it_may_write()
    {
        using var h = new SessionHarness(new Http2Limits { StreamOutputBufferSize = 16 * 1024, ConnectionResponseBufferSize = 64 * 1024 });
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));

        Assert.True(h.Session.TryWriteData(1, FrameBuilder.Pattern(100_000), endStream: true, out int accepted));
        Assert.Equal(16 * 1024, accepted);
        Assert.Equal(0, h.Session.GetWriteCapacity(1));
        Assert.Empty(h.Handler.Writables); // its own buffer limits it, and only its window can empty that
    }

    [Fact]
    public void A_writer_that_writes_from_inside_on_stream_writable_is_not_called_back_without_end()
    {
        using var h = new SessionHarness(new Http2Limits { StreamOutputBufferSize = 16 * 1024, ConnectionResponseBufferSize = 64 * 1024 });
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        byte[] body = FrameBuilder.Pattern(100_000);
        int offset = 0, depth = 0, maxDepth = 0;
        h.Handler.OnWritableHook = id =>
        {
            if (depth >= 20)
            {
                return; // would recurse until the stack overflows
            }

            depth++;
            maxDepth = Math.Max(maxDepth, depth);
            Assert.True(h.Session.TryWriteData(id, body.AsSpan(offset), endStream: true, out int more));
            offset += more;
            depth--;
        };

        Assert.True(h.Session.TryWriteData(1, body, endStream: true, out int accepted));
        offset += accepted;
        Assert.InRange(maxDepth, 0, 1);

        // Now the window opens: the writer fills the buffer from inside the callback, frame after frame.
        h.Send(FrameBuilder.WindowUpdate(0, 1_000_000), FrameBuilder.WindowUpdate(1, 1_000_000));
        for (int i = 0; i < 100 && h.Session.ActiveStreamCount > 0; i++)
        {
            h.Drain();
        }

        Assert.Equal(body, h.AllFrames.Where(f => f.Type == FrameType.Data && f.StreamId == 1).SelectMany(f => f.Payload).ToArray());
        Assert.InRange(maxDepth, 0, 1);
    }
}
