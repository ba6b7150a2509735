using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §4.1–§4.2: frame format and frame size.</summary>
public class Section4_FrameSizeTests
{
    [Theory]
    [InlineData(FrameType.Data, 1)]
    [InlineData(FrameType.Headers, 3)]
    [InlineData(FrameType.Continuation, 1)]
    [InlineData(FrameType.Settings, 0)]
    [InlineData(FrameType.Ping, 0)]
    [InlineData((FrameType)0xFA, 0)]
    public void Frame_over_max_frame_size_is_a_frame_size_error_before_its_payload_arrives(FrameType type, int streamId)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);

        long consumed = h.Send(FrameBuilder.HeaderOnly(16385, type, FrameFlags.None, streamId));
        Assert.Equal(9, consumed);
        Frame goAway = h.AssertGoAway(Http2ErrorCode.FrameSizeError);
        Assert.Equal(1, goAway.LastStreamId);
        Assert.Contains(new ResetEvent(1, Http2ErrorCode.FrameSizeError), h.Handler.Resets);
    }

    [Fact]
    public void Frame_of_exactly_max_frame_size_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 16384, endStream: true));
        h.AssertNoOutput();
        Assert.Equal(FrameBuilder.Pattern(16384), h.Handler.BodyOf(1));
    }

    [Fact]
    public void A_larger_configured_max_frame_size_is_accepted()
    {
        using var h = new SessionHarness(new Http2Limits { MaxFrameSize = 32768 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 32768, endStream: true));
        h.AssertNoOutput();
        Assert.Equal(32768, h.Handler.BodyOf(1).Length);

        h.Send(FrameBuilder.HeaderOnly(32769, FrameType.Data, FrameFlags.None, 3));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Unknown_frame_types_are_ignored_on_any_stream()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(
            FrameBuilder.Raw((FrameType)0xFA, (FrameFlags)0xFF, 0, [1, 2, 3]),
            FrameBuilder.Raw((FrameType)0x20, FrameFlags.None, 1, new byte[100]),
            FrameBuilder.Raw((FrameType)0xFF, FrameFlags.None, 99, []),
            FrameBuilder.Raw(FrameType.AltSvc, FrameFlags.None, 0, [0, 0]));
        h.AssertNoOutput();
        h.AssertAlive();
        Assert.Single(h.Handler.Events);
    }

    [Fact]
    public void Unknown_flags_are_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Ping, (FrameFlags)0xFE, 0, new byte[8]));
        Frame ack = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Ping, FrameFlags.Ack), (ack.Type, ack.Flags));
    }

    [Fact]
    public void Reserved_bit_of_the_stream_id_is_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Ping, FrameFlags.None, unchecked((int)0x8000_0000), new byte[8]));
        Assert.Equal(FrameType.Ping, Assert.Single(h.TakeFrames()).Type);

        byte[] headers = h.Client.Request(1);
        headers[5] |= 0x80;
        h.Send(headers);
        Assert.Single(h.Handler.Requests);
    }

    [Theory]
    [InlineData(40000, new[] { 16384, 16384, 7232 })]
    [InlineData(16384, new[] { 16384 })]
    [InlineData(16385, new[] { 16384, 1 })]
    public void Response_data_frames_respect_the_default_max_frame_size(int length, int[] expected)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(length));
        List<Frame> data = h.DataFrames(1);
        Assert.Equal(expected, data.Select(f => f.Payload.Length));
        Assert.All(data[..^1], f => Assert.False(f.EndStream));
        Assert.True(data[^1].EndStream);
        Assert.Equal(FrameBuilder.Pattern(length), data.SelectMany(f => f.Payload).ToArray());
    }

    [Fact]
    public void Response_data_frames_stay_at_16_kib_even_when_the_peer_allows_larger_ones()
    {
        // A choice the RFC leaves to the sender (§4.2): TLS-record-sized frames, fair turns between streams.
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.MaxFrameSize, 32768), (SettingsParameter.InitialWindowSize, 100000));
        h.Send(FrameBuilder.WindowUpdate(0, 100000));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(40000));
        Assert.Equal([16384, 16384, 7232], h.DataFrames(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public void Window_opened_after_a_response_started_lets_the_waiting_data_go_in_16_kib_frames()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 0));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(50000));
        Assert.Empty(h.DataFrames(1));

        h.ClientMaxFrameSize = 40000;
        h.Send(FrameBuilder.Settings((SettingsParameter.MaxFrameSize, 40000), (SettingsParameter.InitialWindowSize, 60000)));
        Assert.Equal([16384, 16384, 16384, 848], h.DataFrames(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public void Large_response_header_block_is_split_into_continuation_frames_of_max_frame_size()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        string big = new('x', 40000);
        h.Respond(1, headers: ("x-big", big));

        Assert.Collection(h.Frames,
            f => Assert.Equal((FrameType.Headers, FrameFlags.EndStream, 16384), (f.Type, f.Flags, f.Payload.Length)),
            f => Assert.Equal((FrameType.Continuation, FrameFlags.None, 16384), (f.Type, f.Flags, f.Payload.Length)),
            f => Assert.Equal((FrameType.Continuation, FrameFlags.EndHeaders), (f.Type, f.Flags)));
        Assert.All(h.Frames, f => Assert.Equal(1, f.StreamId));
        Assert.Equal(big, h.Frames[0].Header("x-big"));
        Assert.Equal("200", h.Frames[0].Status);
    }

    [Fact]
    public void Large_response_header_block_uses_a_larger_peer_max_frame_size()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.MaxFrameSize, 30000));
        h.Request(1);
        h.Respond(1, headers: ("x-big", new string('y', 40000)));
        Assert.Equal([FrameType.Headers, FrameType.Continuation], h.Frames.Select(f => f.Type));
        Assert.Equal(30000, h.Frames[0].Payload.Length);
        Assert.Equal(new string('y', 40000), h.Frames[0].Header("x-big"));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(16383u)]
    [InlineData(16777216u)]
    [InlineData(uint.MaxValue)]
    public void Max_frame_size_outside_the_allowed_range_is_a_protocol_error(uint value)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((SettingsParameter.MaxFrameSize, value)));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData(16384u)]
    [InlineData(16777215u)]
    public void Max_frame_size_at_the_bounds_is_accepted(uint value)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((SettingsParameter.MaxFrameSize, value)));
        Frame ack = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Settings, FrameFlags.Ack), (ack.Type, ack.Flags));
    }
}
