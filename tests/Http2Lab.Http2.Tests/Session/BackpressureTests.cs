using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// Output-side backpressure: a peer that sends but does not read cannot grow our memory without bound, even
/// below the PING and SETTINGS rate limits (raised here to isolate the mechanism).
/// </summary>
public class BackpressureTests
{
    private const int MaxOutput = 16 * 1024;
    private const int PingFrameLength = 9 + 8;

    [Fact]
    public void Ping_flood_without_draining_pauses_input_with_bounded_output()
    {
        using var h = new SessionHarness(new Http2Limits { MaxOutputBufferSize = MaxOutput, MaxPingsPerSecond = 100_000, MaxSettingsPerSecond = 100_000 });
        h.Handshake();
        byte[] flood = FrameBuilder.Concat([.. Enumerable.Range(1, 2000).Select(i => FrameBuilder.Ping((ulong)i))]);

        long consumed = h.Send(flood, drain: false);
        Assert.True(h.Session.IsInputPaused);
        int answered = (MaxOutput + PingFrameLength - 1) / PingFrameLength; // PINGs until the output reached the limit
        Assert.Equal(answered * PingFrameLength, consumed);
        Assert.Equal(answered * PingFrameLength, h.Session.PendingOutput.Length);
        Assert.InRange(h.Session.PendingOutput.Length, MaxOutput, MaxOutput + PingFrameLength - 1);

        // Still paused: offering the rest again consumes nothing.
        Assert.Equal(0, h.Send([], drain: false));
        Assert.Equal(flood.Length - consumed, h.UnconsumedLength);

        // Writing the output out resumes reading; every PING is eventually answered, in order.
        h.Pump();
        Assert.False(h.Session.IsInputPaused);
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (ulong)i), h.Frames.Select(f => f.PingData));
        Assert.All(h.Frames, f => Assert.Equal((FrameType.Ping, FrameFlags.Ack), (f.Type, f.Flags)));
    }

    [Fact]
    public void Settings_flood_without_draining_pauses_input()
    {
        using var h = new SessionHarness(new Http2Limits { MaxOutputBufferSize = MaxOutput, MaxPingsPerSecond = 100_000, MaxSettingsPerSecond = 100_000 });
        h.Handshake();
        byte[] flood = FrameBuilder.Concat([.. Enumerable.Range(0, 3000).Select(_ => FrameBuilder.Settings())]);
        h.Send(flood, drain: false);
        Assert.True(h.Session.IsInputPaused);
        Assert.InRange(h.Session.PendingOutput.Length, MaxOutput, MaxOutput + 8);
        h.Pump();
        Assert.Equal(3000, h.Frames.Count(f => f.Type == FrameType.Settings && f.Flags == FrameFlags.Ack));
    }

    [Fact]
    public void Input_resumes_as_soon_as_the_output_falls_below_the_limit()
    {
        using var h = new SessionHarness(new Http2Limits { MaxOutputBufferSize = MaxOutput, MaxPingsPerSecond = 100_000, MaxSettingsPerSecond = 100_000 });
        h.Handshake();
        byte[] flood = FrameBuilder.Concat([.. Enumerable.Range(0, 1000).Select(i => FrameBuilder.Ping((ulong)i))]);
        h.Send(flood, drain: false);
        Assert.True(h.Session.IsInputPaused);
        Assert.Equal(16388, h.Session.PendingOutput.Length); // 964 PING ACKs

        h.Session.AdvanceOutput(PingFrameLength); // 16371 queued: below the limit
        Assert.False(h.Session.IsInputPaused);
        Assert.Equal(PingFrameLength, h.Send([], drain: false)); // one more PING, then paused again
        Assert.True(h.Session.IsInputPaused);
    }

    [Fact]
    public void Response_data_is_produced_only_as_the_output_is_written()
    {
        using var h = new SessionHarness(new Http2Limits { MaxOutputBufferSize = MaxOutput, MaxPingsPerSecond = 100_000, MaxSettingsPerSecond = 100_000 });
        h.Handshake((SettingsParameter.InitialWindowSize, 1_000_000));
        h.Send(FrameBuilder.WindowUpdate(0, 1_000_000));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.True(h.Session.TryWriteData(1, FrameBuilder.Pattern(60_000), endStream: true, out int accepted));
        Assert.Equal(60_000, accepted); // what does not go out now waits in the stream's buffer (64 KiB)

        // Data stops at the high-water mark (half the output limit) plus at most one frame.
        Assert.InRange(h.Session.PendingOutput.Length, 1, (MaxOutput / 2) + 9 + 16384);
        h.Drain();
        Assert.Equal(FrameBuilder.Pattern(60_000), h.DataFrames(1).SelectMany(f => f.Payload).ToArray());
        Assert.True(h.DataFrames(1)[^1].EndStream);
    }

    [Fact]
    public void Drain_output_to_copies_everything_and_refills()
    {
        using var h = new SessionHarness(new Http2Limits { MaxOutputBufferSize = MaxOutput, MaxPingsPerSecond = 100_000, MaxSettingsPerSecond = 100_000 });
        h.Handshake((SettingsParameter.InitialWindowSize, 1_000_000));
        h.Send(FrameBuilder.WindowUpdate(0, 1_000_000));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.True(h.Session.TryWriteData(1, FrameBuilder.Pattern(50_000), endStream: true, out _));

        var sink = new System.Buffers.ArrayBufferWriter<byte>();
        while (h.Session.HasPendingOutput)
        {
            h.Session.DrainOutputTo(sink);
        }

        int frames = 0, offset = 0, body = 0;
        while (offset < sink.WrittenCount)
        {
            FrameHeader header = FrameHeader.Read(sink.WrittenSpan[offset..]);
            frames++;
            body += header.Type == FrameType.Data ? header.PayloadLength : 0;
            offset += 9 + header.PayloadLength;
        }

        Assert.Equal(50_000, body);
        Assert.Equal(1 + 4, frames); // HEADERS + 16384 × 3 + 848
    }
}
