using System.Buffers;
using System.Buffers.Binary;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Client.Probe;

/// <summary>
/// Builds the octets of one probe case: any frame, well-formed or not, with a header block encoded by the case's own
/// HPACK encoder (a fresh connection per case, so the dynamic tables start empty on both sides).
/// </summary>
internal sealed class ProbeFrames
{
    private readonly ArrayBufferWriter<byte> _octets = new();
    private readonly HPackEncoder _encoder = new();

    public ProbeFrames(string scheme, string authority)
    {
        Scheme = scheme;
        Authority = authority;
    }

    public string Scheme { get; }

    public string Authority { get; }

    public byte[] ToArray() => _octets.WrittenSpan.ToArray();

    /// <summary>A frame exactly as given.</summary>
    public ProbeFrames Raw(FrameType type, FrameFlags flags, int streamId, ReadOnlySpan<byte> payload)
    {
        Span<byte> span = _octets.GetSpan(Http2Constants.FrameHeaderLength + payload.Length);
        new FrameHeader(payload.Length, type, flags, streamId).Write(span);
        payload.CopyTo(span[Http2Constants.FrameHeaderLength..]);
        _octets.Advance(Http2Constants.FrameHeaderLength + payload.Length);
        return this;
    }

    /// <summary>The usual request pseudo-headers for <paramref name="method"/> <paramref name="path"/>.</summary>
    public (string, string)[] Request(string method = "GET", string path = "/") =>
        [(":method", method), (":scheme", Scheme), (":authority", Authority), (":path", path)];

    /// <summary>A header block of <paramref name="fields"/> exactly as given (any order, any case).</summary>
    public byte[] Block(params (string Name, string Value)[] fields)
    {
        var block = new ArrayBufferWriter<byte>();
        _encoder.BeginHeaderBlock(block);
        foreach ((string name, string value) in fields)
        {
            _encoder.EncodeHeader(block, name, value, HeaderIndexing.WithoutIndexing);
        }

        return block.WrittenSpan.ToArray();
    }

    public ProbeFrames Headers(int streamId, byte[] block, bool endStream = true, bool endHeaders = true) =>
        Raw(FrameType.Headers, (endStream ? FrameFlags.EndStream : 0) | (endHeaders ? FrameFlags.EndHeaders : 0), streamId, block);

    public ProbeFrames Get(int streamId, string path = "/") => Headers(streamId, Block(Request("GET", path)));

    public ProbeFrames Data(int streamId, int length, bool endStream) =>
        Raw(FrameType.Data, endStream ? FrameFlags.EndStream : FrameFlags.None, streamId, new byte[length]);

    public ProbeFrames Settings(params (SettingsParameter Id, uint Value)[] settings)
    {
        byte[] payload = new byte[6 * settings.Length];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), (ushort)settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(6 * i + 2), settings[i].Value);
        }

        return Raw(FrameType.Settings, FrameFlags.None, 0, payload);
    }

    public ProbeFrames WindowUpdate(int streamId, uint increment)
    {
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, increment);
        return Raw(FrameType.WindowUpdate, FrameFlags.None, streamId, payload);
    }

    public ProbeFrames RstStream(int streamId, Http2ErrorCode code)
    {
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        return Raw(FrameType.RstStream, FrameFlags.None, streamId, payload);
    }

    /// <summary>PRIORITY (§6.3) making <paramref name="streamId"/> depend on <paramref name="dependency"/>.</summary>
    public ProbeFrames Priority(int streamId, int dependency)
    {
        byte[] payload = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(payload, dependency);
        payload[4] = 15;
        return Raw(FrameType.Priority, FrameFlags.None, streamId, payload);
    }
}
