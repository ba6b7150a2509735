using System.Buffers;
using System.Buffers.Binary;

namespace Http2Lab.Http2.Frames;

/// <summary>
/// Serialises frames into an <see cref="IBufferWriter{T}"/>. Knows nothing of connection state:
/// callers decide what may be sent and respect the peer's SETTINGS_MAX_FRAME_SIZE.
/// </summary>
internal static class FrameWriter
{
    private const int H = Http2Constants.FrameHeaderLength;

    /// <summary>Writes a frame header and returns the span for its payload (already advanced past).</summary>
    private static Span<byte> Begin(IBufferWriter<byte> output, int payloadLength, FrameType type, FrameFlags flags, int streamId)
    {
        Span<byte> span = output.GetSpan(H + payloadLength);
        new FrameHeader(payloadLength, type, flags, streamId).Write(span);
        output.Advance(H + payloadLength);
        return span.Slice(H, payloadLength);
    }

    /// <summary>SETTINGS with the given parameters (§6.5).</summary>
    public static void WriteSettings(IBufferWriter<byte> output, ReadOnlySpan<KeyValuePair<SettingsParameter, uint>> settings)
    {
        Span<byte> payload = Begin(output, settings.Length * 6, FrameType.Settings, FrameFlags.None, 0);
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload[(i * 6)..], (ushort)settings[i].Key);
            BinaryPrimitives.WriteUInt32BigEndian(payload[(i * 6 + 2)..], settings[i].Value);
        }
    }

    /// <summary>SETTINGS with the ACK flag and an empty payload (§6.5.3).</summary>
    public static void WriteSettingsAck(IBufferWriter<byte> output) =>
        Begin(output, 0, FrameType.Settings, FrameFlags.Ack, 0);

    /// <summary>PING, or its acknowledgement echoing the same 8 octets (§6.7).</summary>
    public static void WritePing(IBufferWriter<byte> output, ulong opaqueData, bool ack) =>
        BinaryPrimitives.WriteUInt64BigEndian(Begin(output, 8, FrameType.Ping, ack ? FrameFlags.Ack : FrameFlags.None, 0), opaqueData);

    /// <summary>GOAWAY with the last processed stream id, error code and debug data (§6.8).</summary>
    public static void WriteGoAway(IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode errorCode, ReadOnlySpan<byte> debugData)
    {
        Span<byte> payload = Begin(output, 8 + debugData.Length, FrameType.GoAway, FrameFlags.None, 0);
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)lastStreamId & 0x7FFF_FFFFu);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)errorCode);
        debugData.CopyTo(payload[8..]);
    }

    /// <summary>RST_STREAM (§6.4).</summary>
    public static void WriteRstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode errorCode) =>
        BinaryPrimitives.WriteUInt32BigEndian(Begin(output, 4, FrameType.RstStream, FrameFlags.None, streamId), (uint)errorCode);

    /// <summary>WINDOW_UPDATE; <paramref name="increment"/> must be 1..2^31-1 (§6.9).</summary>
    public static void WriteWindowUpdate(IBufferWriter<byte> output, int streamId, int increment) =>
        BinaryPrimitives.WriteUInt32BigEndian(Begin(output, 4, FrameType.WindowUpdate, FrameFlags.None, streamId), (uint)increment & 0x7FFF_FFFFu);

    /// <summary>DATA, optionally padded with <paramref name="padLength"/> zero octets (§6.1).</summary>
    public static void WriteData(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> data, bool endStream, int padLength = 0)
    {
        FrameFlags flags = endStream ? FrameFlags.EndStream : FrameFlags.None;
        if (padLength == 0)
        {
            data.CopyTo(Begin(output, data.Length, FrameType.Data, flags, streamId));
            return;
        }

        Span<byte> payload = Begin(output, 1 + data.Length + padLength, FrameType.Data, flags | FrameFlags.Padded, streamId);
        payload[0] = (byte)padLength;
        data.CopyTo(payload[1..]);
        payload[(1 + data.Length)..].Clear();
    }

    /// <summary>
    /// A complete header block as HEADERS followed by as many CONTINUATION frames as
    /// <paramref name="maxFrameSize"/> requires (§6.2, §6.10).
    /// </summary>
    public static void WriteHeaders(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> headerBlock, bool endStream, int maxFrameSize)
    {
        int first = Math.Min(headerBlock.Length, maxFrameSize);
        FrameFlags flags = endStream ? FrameFlags.EndStream : FrameFlags.None;
        if (first == headerBlock.Length)
        {
            flags |= FrameFlags.EndHeaders;
        }

        headerBlock[..first].CopyTo(Begin(output, first, FrameType.Headers, flags, streamId));
        WriteContinuations(output, streamId, headerBlock[first..], maxFrameSize);
    }

    private static void WriteContinuations(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> rest, int maxFrameSize)
    {
        while (!rest.IsEmpty)
        {
            int n = Math.Min(rest.Length, maxFrameSize);
            FrameFlags flags = n == rest.Length ? FrameFlags.EndHeaders : FrameFlags.None;
            rest[..n].CopyTo(Begin(output, n, FrameType.Continuation, flags, streamId));
            rest = rest[n..];
        }
    }
}
