using System.Buffers;
using System.Buffers.Binary;

namespace Http2Lab.Http2.Frames;

/// <summary>
/// Decodes frames and their payload fields (RFC 9113 §4.1, §6). Stateless and unaware of the connection:
/// <see cref="TryDecode"/> checks every rule a frame can break on its own (lengths, which frames may or
/// must use stream 0, padding, priority) and names the RFC's error code; what depends on connection or
/// stream state is the session's job.
/// </summary>
internal static partial class FrameReader
{
    /// <summary>Reads a frame header from the start of <paramref name="input"/>; false if fewer than 9 octets.</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> input, out FrameHeader header)
    {
        if (input.Length < Http2Constants.FrameHeaderLength)
        {
            header = default;
            return false;
        }

        Span<byte> octets = stackalloc byte[Http2Constants.FrameHeaderLength];
        input.Slice(0, Http2Constants.FrameHeaderLength).CopyTo(octets);
        header = FrameHeader.Read(octets);
        return true;
    }

    /// <summary>
    /// Reads a whole frame: false until header and payload have both arrived. The payload is a
    /// slice of <paramref name="input"/>.
    /// </summary>
    public static bool TryReadFrame(in ReadOnlySequence<byte> input, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        if (!TryReadHeader(input, out header) || input.Length < Http2Constants.FrameHeaderLength + header.PayloadLength)
        {
            payload = default;
            return false;
        }

        payload = input.Slice(Http2Constants.FrameHeaderLength, header.PayloadLength);
        return true;
    }

    /// <summary>
    /// The content of a DATA, HEADERS or PUSH_PROMISE payload without its padding (§6.1, §6.2).
    /// False when the PADDED flag is set but the Pad Length field is missing (<paramref name="padLength"/> −1)
    /// or the padding is not shorter than the payload.
    /// </summary>
    public static bool TryRemovePadding(FrameHeader header, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> content, out int padLength)
    {
        content = payload;
        padLength = 0;
        if (!header.HasFlag(FrameFlags.Padded))
        {
            return true;
        }

        if (payload.IsEmpty)
        {
            padLength = -1;
            return false;
        }

        padLength = payload[0];
        if (padLength >= payload.Length)
        {
            return false;
        }

        content = payload[1..^padLength];
        return true;
    }

    /// <summary>The 5 octets of stream dependency and weight (§6.3); <paramref name="fields"/> must hold at least 5.</summary>
    public static PriorityFields ReadPriority(ReadOnlySpan<byte> fields)
    {
        uint word = BinaryPrimitives.ReadUInt32BigEndian(fields);
        return new PriorityFields((int)(word & 0x7FFF_FFFFu), (word & 0x8000_0000u) != 0, fields[4]);
    }

    /// <summary>The error code of RST_STREAM (§6.4); the payload must be 4 octets.</summary>
    public static Http2ErrorCode ReadRstStream(ReadOnlySpan<byte> payload) =>
        (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);

    /// <summary>SETTINGS parameter number <paramref name="index"/> of a payload that is a multiple of 6 octets (§6.5.1).</summary>
    public static KeyValuePair<SettingsParameter, uint> ReadSetting(ReadOnlySpan<byte> payload, int index)
    {
        ReadOnlySpan<byte> entry = payload.Slice(index * 6, 6);
        return new((SettingsParameter)BinaryPrimitives.ReadUInt16BigEndian(entry), BinaryPrimitives.ReadUInt32BigEndian(entry[2..]));
    }

    /// <summary>The opaque data of PING (§6.7); the payload must be 8 octets.</summary>
    public static ulong ReadPing(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadUInt64BigEndian(payload);

    /// <summary>The fields of GOAWAY (§6.8); the payload must be at least 8 octets.</summary>
    public static int ReadGoAway(ReadOnlySpan<byte> payload, out Http2ErrorCode errorCode, out ReadOnlySpan<byte> debugData)
    {
        errorCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        debugData = payload[8..];
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFFu);
    }

    /// <summary>The increment of WINDOW_UPDATE, reserved bit cleared (§6.9); the payload must be 4 octets.</summary>
    public static int ReadWindowUpdate(ReadOnlySpan<byte> payload) =>
        (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFFu);

    /// <summary>The promised stream id of PUSH_PROMISE (§6.6), after any padding was removed.</summary>
    public static int ReadPromisedStreamId(ReadOnlySpan<byte> content) =>
        (int)(BinaryPrimitives.ReadUInt32BigEndian(content) & 0x7FFF_FFFFu);
}
