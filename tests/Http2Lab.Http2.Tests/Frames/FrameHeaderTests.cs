using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Tests.Frames;

/// <summary>RFC 9113 §4.1: the 9-octet frame header.</summary>
public class FrameHeaderTests
{
    [Fact]
    public void Write_lays_out_length_type_flags_and_stream_id_big_endian()
    {
        var bytes = new byte[9];
        new FrameHeader(0x123456, FrameType.Headers, FrameFlags.EndHeaders | FrameFlags.EndStream, 0x01020304).Write(bytes);
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56, 0x01, 0x05, 0x01, 0x02, 0x03, 0x04 }, bytes);
    }

    [Fact]
    public void Read_parses_every_field()
    {
        FrameHeader header = FrameHeader.Read([0x00, 0x40, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x07]);
        Assert.Equal(16384, header.PayloadLength);
        Assert.Equal(FrameType.Data, header.Type);
        Assert.Equal(FrameFlags.EndStream | FrameFlags.Padded, header.Flags);
        Assert.Equal(7, header.StreamId);
        Assert.True(header.HasFlag(FrameFlags.Padded));
        Assert.False(header.HasFlag(FrameFlags.EndHeaders));
    }

    [Fact]
    public void Read_ignores_the_reserved_bit_of_the_stream_id()
    {
        FrameHeader header = FrameHeader.Read([0, 0, 0, 0x06, 0, 0x80, 0x00, 0x00, 0x00]);
        Assert.Equal(0, header.StreamId);
        header = FrameHeader.Read([0, 0, 0, 0x01, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        Assert.Equal(int.MaxValue, header.StreamId);
    }

    [Fact]
    public void Write_clears_the_reserved_bit()
    {
        var bytes = new byte[9];
        new FrameHeader(0, FrameType.Ping, FrameFlags.None, unchecked((int)0x8000_0005)).Write(bytes);
        Assert.Equal(new byte[] { 0, 0, 0, 5 }, bytes[5..]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(16384)]
    [InlineData((1 << 24) - 1)]
    public void Length_round_trips_over_24_bits(int length)
    {
        var bytes = new byte[9];
        new FrameHeader(length, (FrameType)0xEE, (FrameFlags)0xFF, int.MaxValue).Write(bytes);
        FrameHeader read = FrameHeader.Read(bytes);
        Assert.Equal((length, (FrameType)0xEE, (FrameFlags)0xFF, int.MaxValue), (read.PayloadLength, read.Type, read.Flags, read.StreamId));
    }

    [Fact]
    public void Unknown_types_and_flags_are_kept_as_sent()
    {
        FrameHeader header = FrameHeader.Read([0, 0, 1, 0xFA, 0xF2, 0, 0, 0, 3]);
        Assert.Equal((FrameType)0xFA, header.Type);
        Assert.Equal((FrameFlags)0xF2, header.Flags);
    }

    [Fact]
    public void ToString_names_type_stream_length_and_flags()
    {
        Assert.Equal("Data stream=3 length=10 flags=0x01", new FrameHeader(10, FrameType.Data, FrameFlags.EndStream, 3).ToString());
    }

    [Fact]
    public void Constants_match_the_rfc()
    {
        Assert.Equal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), Http2Constants.ClientPreface.ToArray());
        Assert.Equal(9, Http2Constants.FrameHeaderLength);
        Assert.Equal(16384, Http2Constants.DefaultMaxFrameSize);
        Assert.Equal(16777215, Http2Constants.MaxAllowedFrameSize);
        Assert.Equal(65535, Http2Constants.DefaultInitialWindowSize);
        Assert.Equal(int.MaxValue, Http2Constants.MaxWindowSize);
        Assert.Equal(4096, Http2Constants.DefaultHeaderTableSize);
    }

    [Fact]
    public void Enum_values_match_the_rfc_registries()
    {
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa },
            new[] { FrameType.Data, FrameType.Headers, FrameType.Priority, FrameType.RstStream, FrameType.Settings, FrameType.PushPromise,
                FrameType.Ping, FrameType.GoAway, FrameType.WindowUpdate, FrameType.Continuation, FrameType.AltSvc }.Select(t => (byte)t));
        Assert.Equal(new uint[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd },
            new[] { Http2ErrorCode.NoError, Http2ErrorCode.ProtocolError, Http2ErrorCode.InternalError, Http2ErrorCode.FlowControlError,
                Http2ErrorCode.SettingsTimeout, Http2ErrorCode.StreamClosed, Http2ErrorCode.FrameSizeError, Http2ErrorCode.RefusedStream,
                Http2ErrorCode.Cancel, Http2ErrorCode.CompressionError, Http2ErrorCode.ConnectError, Http2ErrorCode.EnhanceYourCalm,
                Http2ErrorCode.InadequateSecurity, Http2ErrorCode.Http11Required }.Select(c => (uint)c));
        Assert.Equal(new ushort[] { 1, 2, 3, 4, 5, 6, 8, 9 },
            new[] { SettingsParameter.HeaderTableSize, SettingsParameter.EnablePush, SettingsParameter.MaxConcurrentStreams,
                SettingsParameter.InitialWindowSize, SettingsParameter.MaxFrameSize, SettingsParameter.MaxHeaderListSize,
                SettingsParameter.EnableConnectProtocol, SettingsParameter.NoRfc7540Priorities }.Select(s => (ushort)s));
        Assert.Equal((byte)0x1, (byte)FrameFlags.EndStream);
        Assert.Equal((byte)0x1, (byte)FrameFlags.Ack);
        Assert.Equal((byte)0x4, (byte)FrameFlags.EndHeaders);
        Assert.Equal((byte)0x8, (byte)FrameFlags.Padded);
        Assert.Equal((byte)0x20, (byte)FrameFlags.Priority);
    }
}
