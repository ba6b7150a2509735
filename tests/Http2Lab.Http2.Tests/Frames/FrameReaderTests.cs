using System.Buffers;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Tests.Frames;

/// <summary>FrameReader decodes what FrameWriter (or, for frames only clients send, TestFrameWriter) encodes, for every frame type (RFC 9113 §6).</summary>
public class FrameReaderTests
{
    private static (FrameHeader Header, byte[] Payload) RoundTrip(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        var input = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(FrameReader.TryReadFrame(input, out FrameHeader header, out ReadOnlySequence<byte> payload));
        Assert.Equal(output.WrittenCount, Http2Constants.FrameHeaderLength + header.PayloadLength);

        // One octet short of the whole frame is "need more", never a partial frame.
        Assert.False(FrameReader.TryReadFrame(input.Slice(0, input.Length - 1), out _, out _));
        return (header, payload.ToArray());
    }

    [Fact]
    public void Data_with_padding_round_trips()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => FrameWriter.WriteData(o, 3, "hello"u8, endStream: true, padLength: 7));
        Assert.Equal((FrameType.Data, 3, true), (header.Type, header.StreamId, header.HasFlag(FrameFlags.EndStream)));
        Assert.True(FrameReader.TryRemovePadding(header, payload, out ReadOnlySpan<byte> content, out int padLength));
        Assert.Equal(7, padLength);
        Assert.Equal("hello"u8.ToArray(), content.ToArray());
    }

    [Theory]
    [InlineData(new byte[0], -1)]
    [InlineData(new byte[] { 3, 1, 2 }, 3)]
    public void Padding_that_does_not_fit_is_reported(byte[] payload, int expectedPadLength)
    {
        var header = new FrameHeader(payload.Length, FrameType.Data, FrameFlags.Padded, 1);
        Assert.False(FrameReader.TryRemovePadding(header, payload, out _, out int padLength));
        Assert.Equal(expectedPadLength, padLength);
    }

    [Fact]
    public void Headers_split_into_continuations_reassemble()
    {
        byte[] block = Enumerable.Range(0, 40_000).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeaders(output, 5, block, endStream: false, maxFrameSize: 16384);
        var input = new ReadOnlySequence<byte>(output.WrittenMemory);
        var reassembled = new List<byte>();
        var types = new List<FrameType>();
        while (FrameReader.TryReadFrame(input, out FrameHeader header, out ReadOnlySequence<byte> payload))
        {
            types.Add(header.Type);
            Assert.Equal(types.Count == 3, header.HasFlag(FrameFlags.EndHeaders));
            reassembled.AddRange(payload.ToArray());
            input = input.Slice(Http2Constants.FrameHeaderLength + header.PayloadLength);
        }

        Assert.Equal([FrameType.Headers, FrameType.Continuation, FrameType.Continuation], types);
        Assert.Equal(block, reassembled);
    }

    [Fact]
    public void Priority_round_trips()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => TestFrameWriter.WritePriority(o, 7, dependency: 3, exclusive: true, weight: 200));
        Assert.Equal(FrameType.Priority, header.Type);
        Assert.Equal(new PriorityFields(3, true, 200), FrameReader.ReadPriority(payload));
    }

    [Fact]
    public void Rst_stream_round_trips()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => FrameWriter.WriteRstStream(o, 9, Http2ErrorCode.RefusedStream));
        Assert.Equal((FrameType.RstStream, 9), (header.Type, header.StreamId));
        Assert.Equal(Http2ErrorCode.RefusedStream, FrameReader.ReadRstStream(payload));
    }

    [Fact]
    public void Settings_round_trip_including_unknown_ids()
    {
        KeyValuePair<SettingsParameter, uint>[] settings =
        [
            new(SettingsParameter.HeaderTableSize, 0), new(SettingsParameter.EnablePush, 0),
            new(SettingsParameter.MaxConcurrentStreams, 100), new(SettingsParameter.InitialWindowSize, 65535),
            new(SettingsParameter.MaxFrameSize, 16777215), new(SettingsParameter.MaxHeaderListSize, 8192),
            new((SettingsParameter)0xfafa, 42),
        ];
        (FrameHeader header, byte[] payload) = RoundTrip(o => FrameWriter.WriteSettings(o, settings));
        Assert.Equal((FrameType.Settings, 0, 42), (header.Type, header.StreamId, header.PayloadLength));
        Assert.Equal(settings, Enumerable.Range(0, 7).Select(i => FrameReader.ReadSetting(payload, i)));

        (FrameHeader ack, _) = RoundTrip(FrameWriter.WriteSettingsAck);
        Assert.True(ack.HasFlag(FrameFlags.Ack));
        Assert.Equal(0, ack.PayloadLength);
    }

    [Fact]
    public void Push_promise_round_trips()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => TestFrameWriter.WritePushPromise(o, 1, 2, "abc"u8, 16384));
        Assert.Equal((FrameType.PushPromise, 1, true), (header.Type, header.StreamId, header.HasFlag(FrameFlags.EndHeaders)));
        Assert.Equal(2, FrameReader.ReadPromisedStreamId(payload));
        Assert.Equal("abc"u8.ToArray(), payload[4..]);
    }

    [Fact]
    public void Ping_round_trips()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => FrameWriter.WritePing(o, 0x0102030405060708, ack: true));
        Assert.Equal((FrameType.Ping, true), (header.Type, header.HasFlag(FrameFlags.Ack)));
        Assert.Equal(0x0102030405060708ul, FrameReader.ReadPing(payload));
    }

    [Fact]
    public void Goaway_round_trips_with_debug_data()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => FrameWriter.WriteGoAway(o, 77, Http2ErrorCode.EnhanceYourCalm, "calm down"u8));
        Assert.Equal(FrameType.GoAway, header.Type);
        Assert.Equal(77, FrameReader.ReadGoAway(payload, out Http2ErrorCode code, out ReadOnlySpan<byte> debug));
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, code);
        Assert.Equal("calm down"u8.ToArray(), debug.ToArray());
    }

    [Fact]
    public void Window_update_round_trips_and_ignores_the_reserved_bit()
    {
        (_, byte[] payload) = RoundTrip(o => FrameWriter.WriteWindowUpdate(o, 0, int.MaxValue));
        Assert.Equal(int.MaxValue, FrameReader.ReadWindowUpdate(payload));
        payload[0] |= 0x80;
        Assert.Equal(int.MaxValue, FrameReader.ReadWindowUpdate(payload));
    }

    [Fact]
    public void Unknown_types_are_read_as_raw_frames()
    {
        (FrameHeader header, byte[] payload) = RoundTrip(o => TestFrameWriter.WriteRaw(o, (FrameType)0xbb, (FrameFlags)0xff, 11, "xyz"u8));
        Assert.Equal(((FrameType)0xbb, (FrameFlags)0xff, 11), (header.Type, header.Flags, header.StreamId));
        Assert.Equal("xyz"u8.ToArray(), payload);
    }
}
