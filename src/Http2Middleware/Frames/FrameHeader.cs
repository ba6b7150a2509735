using System.Buffers.Binary;

namespace Http2Lab.Http2.Frames;

/// <summary>The 9-octet header that starts every frame (RFC 9113 §4.1).</summary>
internal readonly struct FrameHeader
{
    /// <summary>Creates a frame header.</summary>
    public FrameHeader(int payloadLength, FrameType type, FrameFlags flags, int streamId)
    {
        PayloadLength = payloadLength;
        Type = type;
        Flags = flags;
        StreamId = streamId;
    }

    /// <summary>Length of the payload in octets (24 bits).</summary>
    public int PayloadLength { get; }

    /// <summary>Frame type; values outside <see cref="FrameType"/> are unknown types.</summary>
    public FrameType Type { get; }

    /// <summary>Flag bits as sent.</summary>
    public FrameFlags Flags { get; }

    /// <summary>Stream identifier with the reserved bit cleared (§4.1: ignored on receipt).</summary>
    public int StreamId { get; }

    /// <summary>Whether the given flag bit is set.</summary>
    public bool HasFlag(FrameFlags flag) => (Flags & flag) == flag;

    /// <summary>Reads a header from the first 9 octets of <paramref name="source"/>.</summary>
    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        int length = (source[0] << 16) | (source[1] << 8) | source[2];
        int streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7FFF_FFFFu);
        return new FrameHeader(length, (FrameType)source[3], (FrameFlags)source[4], streamId);
    }

    /// <summary>Writes this header into the first 9 octets of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(PayloadLength >> 16);
        destination[1] = (byte)(PayloadLength >> 8);
        destination[2] = (byte)PayloadLength;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId & 0x7FFF_FFFFu);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} stream={StreamId} length={PayloadLength} flags=0x{(byte)Flags:x2}";
}
