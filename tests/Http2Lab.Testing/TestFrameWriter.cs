using System.Buffers;
using System.Buffers.Binary;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Testing;

/// <summary>
/// Writes the frames a test sends but the server never does (PRIORITY, PUSH_PROMISE) and frames of any shape, such as
/// unknown types or deliberately malformed ones. The frames the server sends come from <see cref="FrameWriter"/>.
/// </summary>
internal static class TestFrameWriter
{
    /// <summary>Length of the priority fields: exclusive bit, stream dependency and weight (§5.3.2).</summary>
    public const int PriorityFieldsLength = 5;

    /// <summary>PRIORITY (§6.3).</summary>
    public static void WritePriority(IBufferWriter<byte> output, int streamId, int dependency, bool exclusive, byte weight)
    {
        Span<byte> payload = stackalloc byte[PriorityFieldsLength];
        WritePriorityFields(payload, dependency, exclusive, weight);
        WriteRaw(output, FrameType.Priority, FrameFlags.None, streamId, payload);
    }

    /// <summary>The 5 octets of priority fields (§6.3), as PRIORITY and HEADERS with the PRIORITY flag carry them.</summary>
    public static void WritePriorityFields(Span<byte> destination, int dependency, bool exclusive, byte weight)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, ((uint)dependency & 0x7FFF_FFFFu) | (exclusive ? 0x8000_0000u : 0));
        destination[4] = weight;
    }

    /// <summary>
    /// PUSH_PROMISE (§6.6) followed by as many CONTINUATION frames as <paramref name="maxFrameSize"/> requires,
    /// for client-side tests: a server receiving it must treat it as a connection error.
    /// </summary>
    public static void WritePushPromise(IBufferWriter<byte> output, int streamId, int promisedStreamId, ReadOnlySpan<byte> headerBlock, int maxFrameSize)
    {
        // PUSH_PROMISE splits exactly like HEADERS whose fragment starts with the promised stream id and never ends
        // the stream, so the production HEADERS writer lays the frames out and only the first frame's type changes.
        byte[] content = new byte[4 + headerBlock.Length];
        BinaryPrimitives.WriteUInt32BigEndian(content, (uint)promisedStreamId & 0x7FFF_FFFFu);
        headerBlock.CopyTo(content.AsSpan(4));
        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeaders(frames, streamId, content, endStream: false, maxFrameSize);

        Span<byte> destination = output.GetSpan(frames.WrittenCount);
        frames.WrittenSpan.CopyTo(destination);
        destination[3] = (byte)FrameType.PushPromise; // the type octet of the first frame header (§4.1)
        output.Advance(frames.WrittenCount);
    }

    /// <summary>Any frame with a raw payload: unknown types, undefined flags, wrong lengths or stream ids.</summary>
    public static void WriteRaw(IBufferWriter<byte> output, FrameType type, FrameFlags flags, int streamId, ReadOnlySpan<byte> payload)
    {
        int length = Http2Constants.FrameHeaderLength + payload.Length;
        Span<byte> destination = output.GetSpan(length);
        new FrameHeader(payload.Length, type, flags, streamId).Write(destination);
        payload.CopyTo(destination[Http2Constants.FrameHeaderLength..]);
        output.Advance(length);
    }
}
