using System.Buffers;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Tests.Frames;

/// <summary>RFC 9113 §6: exact octets of every frame <see cref="FrameWriter"/> and the tests' <see cref="TestFrameWriter"/> produce.</summary>
public class FrameWriterTests
{
    private static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void Settings_writes_six_octets_per_parameter()
    {
        byte[] bytes = Write(o => FrameWriter.WriteSettings(o, new KeyValuePair<SettingsParameter, uint>[]
        {
            new(SettingsParameter.MaxConcurrentStreams, 100),
            new(SettingsParameter.InitialWindowSize, 0x7FFFFFFF),
        }));
        Assert.Equal(Hex("00000C 04 00 00000000  0003 00000064  0004 7FFFFFFF"), bytes);
    }

    [Fact]
    public void Empty_settings_is_a_bare_header()
    {
        Assert.Equal(Hex("000000 04 00 00000000"), Write(o => FrameWriter.WriteSettings(o, [])));
    }

    [Fact]
    public void Settings_ack_has_the_ack_flag_and_no_payload()
    {
        Assert.Equal(Hex("000000 04 01 00000000"), Write(FrameWriter.WriteSettingsAck));
    }

    [Theory]
    [InlineData(false, "000008 06 00 00000000 0102030405060708")]
    [InlineData(true, "000008 06 01 00000000 0102030405060708")]
    public void Ping_carries_eight_opaque_octets(bool ack, string expected)
    {
        Assert.Equal(Hex(expected), Write(o => FrameWriter.WritePing(o, 0x0102030405060708, ack)));
    }

    [Fact]
    public void GoAway_carries_last_stream_error_code_and_debug_data()
    {
        Assert.Equal(Hex("00000A 07 00 00000000 00000007 00000001 6869"),
            Write(o => FrameWriter.WriteGoAway(o, 7, Http2ErrorCode.ProtocolError, "hi"u8)));
    }

    [Fact]
    public void GoAway_clears_the_reserved_bit_of_the_last_stream_id()
    {
        Assert.Equal(Hex("000008 07 00 00000000 7FFFFFFF 0000000B"),
            Write(o => FrameWriter.WriteGoAway(o, -1, Http2ErrorCode.EnhanceYourCalm, default)));
    }

    [Fact]
    public void RstStream_carries_the_error_code()
    {
        Assert.Equal(Hex("000004 03 00 00000005 00000008"), Write(o => FrameWriter.WriteRstStream(o, 5, Http2ErrorCode.Cancel)));
    }

    [Theory]
    [InlineData(0, 1, "000004 08 00 00000000 00000001")]
    [InlineData(3, int.MaxValue, "000004 08 00 00000003 7FFFFFFF")]
    public void WindowUpdate_carries_a_31_bit_increment(int stream, int increment, string expected)
    {
        Assert.Equal(Hex(expected), Write(o => FrameWriter.WriteWindowUpdate(o, stream, increment)));
    }

    [Fact]
    public void Priority_carries_exclusive_bit_dependency_and_weight()
    {
        Assert.Equal(Hex("000005 02 00 00000003 80000001 FF"), Write(o => TestFrameWriter.WritePriority(o, 3, 1, exclusive: true, 255)));
        Assert.Equal(Hex("000005 02 00 00000003 00000000 0F"), Write(o => TestFrameWriter.WritePriority(o, 3, 0, exclusive: false, 15)));
    }

    [Fact]
    public void Data_without_padding()
    {
        Assert.Equal(Hex("000003 00 01 00000001 616263"), Write(o => FrameWriter.WriteData(o, 1, "abc"u8, endStream: true)));
        Assert.Equal(Hex("000000 00 00 00000001"), Write(o => FrameWriter.WriteData(o, 1, default, endStream: false)));
    }

    [Fact]
    public void Data_with_padding_has_pad_length_then_data_then_zero_octets()
    {
        Assert.Equal(Hex("000006 00 08 00000001 02 616263 0000"), Write(o => FrameWriter.WriteData(o, 1, "abc"u8, endStream: false, padLength: 2)));
        Assert.Equal(Hex("000004 00 09 00000003 03 000000"), Write(o => FrameWriter.WriteData(o, 3, default, endStream: true, padLength: 3)));
    }

    [Fact]
    public void Data_padding_is_zeroed_even_in_a_dirty_buffer()
    {
        var output = new ArrayBufferWriter<byte>(64);
        output.GetSpan(64).Fill(0xEE);
        FrameWriter.WriteData(output, 1, "a"u8, endStream: false, padLength: 4);
        Assert.Equal(Hex("000006 00 08 00000001 04 61 00000000"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Headers_that_fit_are_one_frame_with_end_headers()
    {
        Assert.Equal(Hex("000002 01 05 00000001 8287"), Write(o => FrameWriter.WriteHeaders(o, 1, Hex("8287"), endStream: true, 16384)));
        Assert.Equal(Hex("000002 01 04 00000001 8287"), Write(o => FrameWriter.WriteHeaders(o, 1, Hex("8287"), endStream: false, 16384)));
    }

    [Fact]
    public void Headers_larger_than_max_frame_size_continue_in_continuation_frames()
    {
        byte[] block = Hex("0102030405");
        Assert.Equal(
            Hex("000002 01 01 00000003 0102  000002 09 00 00000003 0304  000001 09 04 00000003 05"),
            Write(o => FrameWriter.WriteHeaders(o, 3, block, endStream: true, maxFrameSize: 2)));
    }

    [Fact]
    public void Headers_exactly_max_frame_size_need_no_continuation()
    {
        Assert.Equal(Hex("000002 01 04 00000003 0102"), Write(o => FrameWriter.WriteHeaders(o, 3, Hex("0102"), endStream: false, maxFrameSize: 2)));
    }

    [Fact]
    public void Empty_header_block_is_one_empty_headers_frame()
    {
        Assert.Equal(Hex("000000 01 05 00000001"), Write(o => FrameWriter.WriteHeaders(o, 1, default, endStream: true, 16384)));
    }

    [Fact]
    public void PushPromise_carries_the_promised_stream_and_continues_past_max_frame_size()
    {
        Assert.Equal(Hex("000006 05 00 00000001 00000002 0102  000001 09 04 00000001 03"),
            Write(o => TestFrameWriter.WritePushPromise(o, 1, 2, Hex("010203"), maxFrameSize: 6)));
        Assert.Equal(Hex("000005 05 04 00000001 00000002 01"),
            Write(o => TestFrameWriter.WritePushPromise(o, 1, 2, Hex("01"), maxFrameSize: 16384)));
    }

    [Fact]
    public void Raw_writes_any_type_flags_and_payload()
    {
        Assert.Equal(Hex("000002 FA 81 00000009 ABCD"), Write(o => TestFrameWriter.WriteRaw(o, (FrameType)0xFA, (FrameFlags)0x81, 9, Hex("ABCD"))));
    }

    [Fact]
    public void Frames_are_appended_back_to_back()
    {
        byte[] bytes = Write(o =>
        {
            FrameWriter.WriteSettingsAck(o);
            FrameWriter.WriteRstStream(o, 1, Http2ErrorCode.NoError);
        });
        Assert.Equal(Hex("000000 04 01 00000000  000004 03 00 00000001 00000000"), bytes);
    }

    [Fact]
    public void Large_data_frame_round_trips_through_the_header()
    {
        byte[] data = new byte[Http2Constants.MaxAllowedFrameSize];
        data[^1] = 0x5A;
        byte[] bytes = Write(o => FrameWriter.WriteData(o, 1, data, endStream: false));
        FrameHeader header = FrameHeader.Read(bytes);
        Assert.Equal(Http2Constants.MaxAllowedFrameSize, header.PayloadLength);
        Assert.Equal(9 + data.Length, bytes.Length);
        Assert.Equal(0x5A, bytes[^1]);
    }
}
