using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.5: SETTINGS.</summary>
public class Section6_5_SettingsTests
{
    [Fact]
    public void Every_settings_frame_is_acknowledged()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((SettingsParameter.EnablePush, 0)), FrameBuilder.Settings());
        Assert.Equal(2, h.Frames.Count);
        Assert.All(h.Frames, f => Assert.Equal((FrameType.Settings, FrameFlags.Ack, 0, 0), (f.Type, f.Flags, f.StreamId, f.Payload.Length)));
    }

    [Fact]
    public void Settings_ack_with_a_payload_is_a_frame_size_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Settings, FrameFlags.Ack, 0, new byte[6]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(13)]
    public void Settings_length_not_a_multiple_of_6_is_a_frame_size_error(int length)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Settings, FrameFlags.None, 0, new byte[length]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Bad_first_settings_is_a_frame_size_error()
    {
        using var h = new SessionHarness();
        h.Send(FrameBuilder.Preface(), FrameBuilder.Raw(FrameType.Settings, FrameFlags.None, 0, new byte[5]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Theory]
    [InlineData(FrameFlags.None)]
    [InlineData(FrameFlags.Ack)]
    public void Settings_on_a_stream_is_a_protocol_error(FrameFlags flags)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.Settings, flags, 1, []));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData(SettingsParameter.EnablePush, 2u)]
    [InlineData(SettingsParameter.EnablePush, uint.MaxValue)]
    [InlineData(SettingsParameter.EnableConnectProtocol, 2u)]
    [InlineData(SettingsParameter.NoRfc7540Priorities, 2u)]
    public void Boolean_setting_other_than_0_or_1_is_a_protocol_error(SettingsParameter parameter, uint value)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((parameter, value)));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData(SettingsParameter.EnablePush, 0u)]
    [InlineData(SettingsParameter.EnablePush, 1u)]
    [InlineData(SettingsParameter.EnableConnectProtocol, 1u)]
    [InlineData(SettingsParameter.NoRfc7540Priorities, 1u)]
    [InlineData(SettingsParameter.MaxConcurrentStreams, 0u)]
    [InlineData(SettingsParameter.MaxHeaderListSize, 1u)]
    [InlineData(SettingsParameter.HeaderTableSize, uint.MaxValue)]
    [InlineData(SettingsParameter.InitialWindowSize, 0u)]
    [InlineData(SettingsParameter.InitialWindowSize, 2147483647u)]
    [InlineData((SettingsParameter)0x99, 12345u)]
    [InlineData((SettingsParameter)0x0, 1u)]
    [InlineData((SettingsParameter)0xFFFF, uint.MaxValue)]
    public void Valid_and_unknown_settings_are_accepted(SettingsParameter parameter, uint value)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((parameter, value)));
        Frame ack = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Settings, FrameFlags.Ack), (ack.Type, ack.Flags));
    }

    [Theory]
    [InlineData(2147483648u)]
    [InlineData(uint.MaxValue)]
    public void Initial_window_size_above_2_31_minus_1_is_a_flow_control_error(uint value)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, value)));
        h.AssertGoAway(Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void Initial_window_size_change_that_overflows_an_open_stream_window_is_a_flow_control_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Send(FrameBuilder.WindowUpdate(1, int.MaxValue - 65535));
        h.AssertNoOutput();
        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 65536)));
        h.AssertGoAway(Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void Initial_window_size_changes_apply_to_open_streams_even_below_zero()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 1000));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(5000));
        Assert.Equal([1000], h.DataFrames(1).Select(f => f.Payload.Length));
        h.Frames.Clear();

        // 1000 → 0: the stream window is now 0 - 1000 = -1000.
        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 0)));
        Assert.Equal(FrameType.Settings, Assert.Single(h.TakeFrames()).Type);

        h.Send(FrameBuilder.WindowUpdate(1, 1500)); // -1000 + 1500 = 500
        Assert.Equal([500], h.DataFrames(1).Select(f => f.Payload.Length));
        h.Frames.Clear();

        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 5000))); // 500 + 5000
        List<Frame> data = h.DataFrames(1);
        Assert.Equal([3500], data.Select(f => f.Payload.Length));
        Assert.True(data[0].EndStream);
        Assert.Equal(FrameBuilder.Pattern(5000), h.AllFrames.Where(f => f.Type == FrameType.Data).SelectMany(f => f.Payload).ToArray());
    }

    [Fact]
    public void Initial_window_size_applies_to_streams_opened_later()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, 10)));
        h.Frames.Clear();
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(100), endStream: false);
        Assert.Equal([10], h.DataFrames(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public void Initial_window_size_does_not_change_the_connection_window()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 1_000_000));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(100_000), endStream: false);
        Assert.Equal(65535, h.DataFrames(1).Sum(f => f.Payload.Length));
    }

    [Fact]
    public void Last_value_of_a_repeated_setting_wins()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.InitialWindowSize, 100), (SettingsParameter.InitialWindowSize, 7));
        h.Request(1);
        h.Respond(1, body: FrameBuilder.Pattern(100), endStream: false);
        Assert.Equal([7], h.DataFrames(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public void Header_table_size_is_applied_to_our_encoder_with_a_size_update_in_the_next_block()
    {
        using var h = new SessionHarness();
        h.Handshake((SettingsParameter.HeaderTableSize, 0));
        h.ResponseDecoder.MaxDynamicTableSize = 0; // our decoder now insists on a size update first

        h.Request(1);
        h.Respond(1, headers: ("x-custom", "value"));
        Frame first = h.Frames[0];
        Assert.Equal(0x20, first.HeaderBlock![0]); // dynamic table size update to 0
        Assert.Equal("value", first.Header("x-custom"));
        Assert.Equal(0, h.ResponseDecoder.DynamicTableCount);
        h.Frames.Clear();

        h.Request(3);
        h.Respond(3, headers: ("x-custom", "value"));
        Assert.NotEqual(0x20, h.Frames[0].HeaderBlock![0] & 0xE0);
        Assert.Equal("value", h.Frames[0].Header("x-custom"));
    }

    [Fact]
    public void Header_table_size_reduced_mid_connection_evicts_and_is_signalled()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1, headers: [("x-a", new string('a', 50)), ("x-b", new string('b', 50))]);
        Assert.Equal(2, h.ResponseDecoder.DynamicTableCount);
        h.Frames.Clear();

        h.Send(FrameBuilder.Settings((SettingsParameter.HeaderTableSize, 100)));
        h.ResponseDecoder.MaxDynamicTableSize = 100;
        h.Frames.Clear();
        h.Request(3);
        h.Respond(3, headers: ("x-a", new string('a', 50)));
        Assert.Equal([0x3F, 0x45], h.Frames[0].HeaderBlock![..2]); // size update to 100
        Assert.Equal(new string('a', 50), h.Frames[0].Header("x-a"));
        Assert.True(h.ResponseDecoder.DynamicTableSize <= 100);
    }

    [Fact]
    public void Our_header_table_size_takes_effect_when_the_client_acknowledges_it()
    {
        using var h = new SessionHarness(new Http2Limits { HeaderTableSize = 0 });
        h.Handshake(); // includes the client's SETTINGS ACK

        // The client's encoder must now start its next block with a size update (RFC 7541 §4.2).
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(FrameBuilder.RequestFields()), endStream: true));
        h.AssertGoAway(Http2ErrorCode.CompressionError);
    }

    [Fact]
    public void Our_header_table_size_is_honoured_once_the_client_signals_it()
    {
        using var h = new SessionHarness(new Http2Limits { HeaderTableSize = 0 });
        h.Handshake();
        h.Client.Encoder.SetPeerMaxTableSize(0);
        h.Request(1, endStream: true, ("x-a", "b"));
        h.AssertNoOutput();
    }

    [Fact]
    public void Before_the_ack_the_client_may_still_use_the_default_table_size()
    {
        using var h = new SessionHarness(new Http2Limits { HeaderTableSize = 0 });
        h.Send(FrameBuilder.Preface(), FrameBuilder.Settings());
        h.Frames.Clear();
        h.Request(1, endStream: true, ("x-a", "b"));
        h.Request(3, endStream: true, ("x-a", "b")); // indexed from the 4096-octet dynamic table
        h.AssertNoOutput();
        Assert.Equal(2, h.Handler.Requests.Count());
    }
}
