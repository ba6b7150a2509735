using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §5.2 and §6.9: flow control and WINDOW_UPDATE.</summary>
public class Section6_9_FlowControlTests
{
    [Fact]
    public void Zero_increment_on_a_stream_is_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.WindowUpdate(1, 0));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
    }

    [Fact]
    public void Zero_increment_on_the_connection_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.WindowUpdate(0, 0));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Stream_window_above_2_31_minus_1_is_a_stream_error_flow_control_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Send(FrameBuilder.WindowUpdate(1, int.MaxValue - 65535)); // exactly 2^31-1: allowed
        h.AssertNoOutput();
        h.Send(FrameBuilder.WindowUpdate(1, 1));
        h.AssertRst(1, Http2ErrorCode.FlowControlError);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.FlowControlError)], h.Handler.Resets);
        h.AssertAlive();
    }

    [Fact]
    public void Connection_window_above_2_31_minus_1_is_a_flow_control_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.WindowUpdate(0, int.MaxValue - 65535));
        h.AssertNoOutput();
        h.Send(FrameBuilder.WindowUpdate(0, 1));
        h.AssertGoAway(Http2ErrorCode.FlowControlError);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(0, 5)]
    [InlineData(1, 0)]
    [InlineData(1, 8)]
    public void Window_update_of_a_length_other_than_4_is_a_frame_size_error(int streamId, int length)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.WindowUpdate, FrameFlags.None, streamId, new byte[length]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Reserved_bit_of_the_increment_is_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(100));
        h.Frames.Clear();
        h.Send(FrameBuilder.Raw(FrameType.WindowUpdate, FrameFlags.None, 1, [0x80, 0, 0, 5]));
        Assert.Equal([5], h.DataFrames(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public void Data_beyond_the_stream_window_is_a_stream_error_flow_control_error()
    {
        using var h = new SessionHarness(new Http2Limits { InitialStreamWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        for (int i = 0; i < 3; i++)
        {
            h.Send(FrameBuilder.Data(1, 16384));
        }

        h.Send(FrameBuilder.Data(1, 16383)); // 65535: exactly the window
        h.AssertNoOutput();
        h.Send(FrameBuilder.Data(1, 1));
        h.AssertRst(1, Http2ErrorCode.FlowControlError);
        Assert.Equal(65535, h.Handler.BodyOf(1).Length);
        h.AssertAlive();
    }

    [Fact]
    public void Data_beyond_the_connection_window_is_a_flow_control_error()
    {
        using var h = new SessionHarness(new Http2Limits { InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Request(3, endStream: false);
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(3, 16384), FrameBuilder.Data(1, 16384), FrameBuilder.Data(3, 16383));
        h.AssertNoOutput();
        h.Send(FrameBuilder.Data(1, 1));
        h.AssertGoAway(Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void Response_data_is_limited_by_the_connection_window_and_resumes_on_window_update()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 1_000_000));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(100_000));
        Assert.Equal([16384, 16384, 16384, 16383], h.DataFrames(1).Select(f => f.Payload.Length));
        Assert.Empty(h.Handler.Writables);
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(0, 10_000));
        Assert.Equal([10_000], h.DataFrames(1).Select(f => f.Payload.Length));
        Assert.Equal([new WritableEvent(1)], h.Handler.Writables);
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(0, 100_000));
        List<Frame> data = h.DataFrames(1);
        Assert.Equal([16384, 8081], data.Select(f => f.Payload.Length));
        Assert.Equal([false, true], data.Select(f => f.EndStream));
        Assert.Equal(2, h.Handler.Writables.Count());
        Assert.Equal(FrameBuilder.Pattern(100_000), h.AllFrames.Where(f => f.Type == FrameType.Data).SelectMany(f => f.Payload).ToArray());
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Response_data_is_limited_by_the_stream_window_and_resumes_on_window_update()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 10_000));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(50_000));
        Assert.Equal([10_000], h.DataFrames(1).Select(f => f.Payload.Length));
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(1, 30_000));
        Assert.Equal([16384, 13616], h.DataFrames(1).Select(f => f.Payload.Length));
        h.Frames.Clear();

        // The connection window (65535 - 40000 = 25535) now limits what is left of 10000: all of it goes.
        h.Send(FrameBuilder.WindowUpdate(1, 100_000));
        List<Frame> data = h.DataFrames(1);
        Assert.Equal([10_000], data.Select(f => f.Payload.Length));
        Assert.True(data[0].EndStream);
    }

    [Fact]
    public void Frames_take_the_minimum_of_both_windows_and_the_frame_size()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(60_000));
        h.Send(FrameBuilder.WindowUpdate(1, 100_000)); // connection 65535, stream 100000, frame 16384
        Assert.Equal([16384, 16384, 16384, 10848], h.DataFrames(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public void One_blocked_stream_does_not_block_another()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 1000));
        h.Request(1);
        h.Request(3);
        h.Respond(1, body: FrameBuilder.Pattern(5000));
        Assert.Equal([1000], h.DataFrames(1).Select(f => f.Payload.Length));
        h.Frames.Clear();

        h.Respond(3, body: FrameBuilder.Pattern(700));
        List<Frame> data = h.DataFrames(3);
        Assert.Equal([700], data.Select(f => f.Payload.Length));
        Assert.True(data[0].EndStream);
        Assert.Empty(h.DataFrames(1));
    }

    [Fact]
    public void Streams_blocked_on_the_connection_window_share_it_frame_by_frame()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 1_000_000));
        h.Request(1);
        h.Request(3);
        h.Respond(1, body: FrameBuilder.Pattern(65535), endStream: false); // takes the whole connection window
        h.Respond(3, body: FrameBuilder.Pattern(50_000), endStream: false);
        Assert.Empty(h.DataFrames(3));
        h.Write(1, FrameBuilder.Pattern(50_000), endStream: false);
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(0, 4 * 16384));
        Assert.Equal([3, 1, 3, 1], h.Frames.Where(f => f.Type == FrameType.Data).Select(f => f.StreamId));
        Assert.All(h.Frames.Where(f => f.Type == FrameType.Data), f => Assert.Equal(16384, f.Payload.Length));
    }

    [Fact]
    public void Try_write_data_accepts_at_most_the_stream_output_buffer_when_the_window_is_closed()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.Equal(65536, h.Session.GetWriteCapacity(1));

        byte[] body = FrameBuilder.Pattern(100_000);
        Assert.True(h.Session.TryWriteData(1, body, endStream: true, out int accepted));
        Assert.Equal(65536, accepted);
        Assert.Equal(0, h.Session.GetWriteCapacity(1));
        Assert.True(h.Session.TryWriteData(1, body.AsSpan(accepted), endStream: true, out int more));
        Assert.Equal(0, more);
        h.Drain();
        Assert.Empty(h.DataFrames(1));
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(1, 16384));
        Assert.Equal([16384], h.DataFrames(1).Select(f => f.Payload.Length));
        Assert.Equal([new WritableEvent(1)], h.Handler.Writables);
        Assert.Equal(16384, h.Session.GetWriteCapacity(1));

        Assert.True(h.Session.TryWriteData(1, body.AsSpan(accepted), endStream: true, out more));
        Assert.Equal(16384, more);
        Assert.True(h.Session.TryWriteData(1, body.AsSpan(accepted + more), endStream: true, out int rest));
        Assert.Equal(0, rest);
    }

    [Fact]
    public void End_stream_is_queued_only_when_all_data_was_accepted()
    {
        using var h = new SessionHarness(new Http2Limits { StreamOutputBufferSize = 1024 });
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        byte[] body = FrameBuilder.Pattern(1500);
        Assert.True(h.Session.TryWriteData(1, body, endStream: true, out int accepted));
        Assert.Equal(1024, accepted);
        h.Drain();
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(1, 2000));
        Frame data = Assert.Single(h.DataFrames(1));
        Assert.Equal((1024, false), (data.Payload.Length, data.EndStream));
        h.Frames.Clear();

        Assert.True(h.Session.TryWriteData(1, body.AsSpan(1024), endStream: true, out accepted));
        Assert.Equal(476, accepted);
        h.Drain();
        data = Assert.Single(h.DataFrames(1));
        Assert.Equal((476, true), (data.Payload.Length, data.EndStream));
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Writable_handler_may_write_more_from_inside_the_callback()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.True(h.Session.TryWriteData(1, FrameBuilder.Pattern(100), endStream: false, out _));
        h.Handler.OnWritableHook = id =>
        {
            Assert.True(h.Session.TryWriteData(id, [0xEE], endStream: true, out int accepted));
            Assert.Equal(1, accepted);
            h.Handler.OnWritableHook = null;
        };
        h.Drain();
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(1, 1000));
        List<Frame> data = h.DataFrames(1);
        Assert.Equal([100, 1], data.Select(f => f.Payload.Length));
        Assert.Equal([false, true], data.Select(f => f.EndStream));
        Assert.Equal(0xEE, data[1].Payload[0]);
    }

    [Fact]
    public void Empty_data_with_end_stream_needs_no_window()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        Assert.True(h.Session.SendHeaders(1, 200, [], endStream: false));
        Assert.True(h.Session.TryWriteData(1, [], endStream: true, out int accepted));
        Assert.Equal(0, accepted);
        h.Drain();
        Frame data = Assert.Single(h.DataFrames(1));
        Assert.Equal((0, true), (data.Payload.Length, data.EndStream));
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Trailers_wait_for_pending_data_and_carry_end_stream()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(100), endStream: false);
        Assert.True(h.Session.SendTrailers(1, [new("grpc-status", "0")]));
        h.Drain();
        Assert.Equal([FrameType.Headers], h.Frames.Select(f => f.Type));
        h.Frames.Clear();

        h.Send(FrameBuilder.WindowUpdate(1, 100));
        Assert.Equal([FrameType.Data, FrameType.Headers], h.Frames.Select(f => f.Type));
        Assert.False(h.Frames[0].EndStream);
        Assert.True(h.Frames[1].EndStream);
        Assert.Equal([new("grpc-status", "0")], h.Frames[1].Headers);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Window_update_is_sent_only_after_the_application_acknowledges_and_is_batched()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);

        h.Send(FrameBuilder.Data(1, 100));
        h.Session.AcknowledgeData(1, 100);
        h.Drain();
        h.AssertNoOutput(); // no WINDOW_UPDATE for a tiny frame

        for (int i = 0; i < 24; i++)
        {
            h.Send(FrameBuilder.Data(1, 16384));
        }

        h.AssertNoOutput(); // nothing acknowledged yet
        h.Session.AcknowledgeData(1, 24 * 16384);
        h.Drain();
        // Stream: 393316 acknowledged ≥ 786432 / 2. Connection: 393316 < 1 MiB / 2.
        Frame streamUpdate = Assert.Single(h.TakeFrames());
        Assert.Equal((FrameType.WindowUpdate, 1, 100 + (24 * 16384)), (streamUpdate.Type, streamUpdate.StreamId, streamUpdate.Increment));

        for (int i = 0; i < 8; i++)
        {
            h.Send(FrameBuilder.Data(1, 16384));
        }

        h.Session.AcknowledgeData(1, 8 * 16384);
        h.Drain();
        Frame connectionUpdate = Assert.Single(h.TakeFrames());
        Assert.Equal((FrameType.WindowUpdate, 0, 100 + (32 * 16384)), (connectionUpdate.Type, connectionUpdate.StreamId, connectionUpdate.Increment));
    }

    [Fact]
    public void Acknowledging_more_than_was_delivered_is_clamped()
    {
        using var h = new SessionHarness(new Http2Limits { InitialStreamWindowSize = 65535, InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 100));
        h.Session.AcknowledgeData(1, 1_000_000);
        h.Session.AcknowledgeData(1, -5);
        h.Session.AcknowledgeData(99, 1_000_000);
        h.Drain();
        h.AssertNoOutput(); // only 100 octets of credit, far below 32767
    }

    [Fact]
    public void Acknowledging_after_end_stream_reopens_only_the_connection_window()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        for (int i = 0; i < 32; i++)
        {
            h.Send(FrameBuilder.Data(1, 16384, endStream: i == 31));
        }

        h.Session.AcknowledgeData(1, 32 * 16384);
        h.Drain();
        Frame update = Assert.Single(h.Frames);
        Assert.Equal((FrameType.WindowUpdate, 0, 32 * 16384), (update.Type, update.StreamId, update.Increment));
    }

    [Fact]
    public void Closing_a_stream_returns_its_unacknowledged_credit_to_the_connection()
    {
        using var h = new SessionHarness(new Http2Limits { InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384, endStream: true));
        h.AssertNoOutput();
        h.Respond(1);
        Assert.Equal([FrameType.Headers, FrameType.WindowUpdate], h.Frames.Select(f => f.Type));
        Assert.Equal((0, 32768), (h.Frames[1].StreamId, h.Frames[1].Increment));
    }

    [Fact]
    public void Window_update_on_a_closed_stream_is_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1);
        h.Frames.Clear();
        h.Send(FrameBuilder.WindowUpdate(1, 1000), FrameBuilder.WindowUpdate(1, int.MaxValue));
        h.AssertNoOutput();
    }
}
