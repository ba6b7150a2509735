using System.Buffers;
using System.Buffers.Binary;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// Builds client frames as octets with <see cref="FrameWriter"/>. Header blocks go through the client's own
/// <see cref="HPackEncoder"/>, so blocks must be sent in the order they were built (the dynamic table persists).
/// </summary>
internal sealed class FrameBuilder
{
    public HPackEncoder Encoder { get; } = new();

    /// <summary>The usual pseudo-headers of a request, in order.</summary>
    public static (string Name, string Value)[] RequestFields(string method = "GET", string path = "/", string scheme = "https", string authority = "localhost") =>
        [(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)];

    /// <summary>Encodes <paramref name="fields"/> exactly as given (any order, any case) into one header block.</summary>
    public byte[] HeaderBlock(params (string Name, string Value)[] fields) => HeaderBlock(HeaderIndexing.Incremental, fields);

    public byte[] HeaderBlock(HeaderIndexing indexing, params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        Encoder.BeginHeaderBlock(output);
        foreach ((string name, string value) in fields)
        {
            Encoder.EncodeHeader(output, name, value, indexing);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>A GET (or given method) request on <paramref name="streamId"/> with optional extra regular fields.</summary>
    public byte[] Request(int streamId, bool endStream = true, params (string Name, string Value)[] extra) =>
        Headers(streamId, HeaderBlock([.. RequestFields(), .. extra]), endStream);

    public byte[] Post(int streamId, params (string Name, string Value)[] extra) =>
        Headers(streamId, HeaderBlock([.. RequestFields("POST", "/upload"), .. extra]), endStream: false);

    /// <summary>HEADERS (plus CONTINUATIONs past <paramref name="maxFrameSize"/>) with END_HEADERS on the last frame.</summary>
    public static byte[] Headers(int streamId, byte[] block, bool endStream, int maxFrameSize = Http2Constants.DefaultMaxFrameSize) =>
        Write(o => FrameWriter.WriteHeaders(o, streamId, block, endStream, maxFrameSize));

    /// <summary>A HEADERS frame with explicit flags and optional padding and priority fields around <paramref name="fragment"/>.</summary>
    public static byte[] HeadersFrame(int streamId, byte[] fragment, FrameFlags flags, int padLength = -1, (int Dependency, bool Exclusive, byte Weight)? priority = null)
    {
        var payload = new List<byte>();
        if (padLength >= 0)
        {
            flags |= FrameFlags.Padded;
            payload.Add((byte)padLength);
        }

        if (priority is { } p)
        {
            flags |= FrameFlags.Priority;
            var dep = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(dep, ((uint)p.Dependency & 0x7FFF_FFFF) | (p.Exclusive ? 0x8000_0000u : 0));
            payload.AddRange(dep);
            payload.Add(p.Weight);
        }

        payload.AddRange(fragment);
        if (padLength > 0)
        {
            payload.AddRange(new byte[padLength]);
        }

        return Raw(FrameType.Headers, flags, streamId, [.. payload]);
    }

    public static byte[] Continuation(int streamId, byte[] fragment, bool endHeaders) =>
        Raw(FrameType.Continuation, endHeaders ? FrameFlags.EndHeaders : FrameFlags.None, streamId, fragment);

    public static byte[] Preface() => Http2Constants.ClientPreface.ToArray();

    public static byte[] Settings(params (SettingsParameter Id, uint Value)[] settings)
    {
        KeyValuePair<SettingsParameter, uint>[] list = [.. settings.Select(s => new KeyValuePair<SettingsParameter, uint>(s.Id, s.Value))];
        return Write(o => FrameWriter.WriteSettings(o, list));
    }

    public static byte[] SettingsAck() => Write(FrameWriter.WriteSettingsAck);

    public static byte[] Data(int streamId, byte[] data, bool endStream = false, int padLength = 0) =>
        Write(o => FrameWriter.WriteData(o, streamId, data, endStream, padLength));

    public static byte[] Data(int streamId, int length, bool endStream = false, int padLength = 0) =>
        Data(streamId, Pattern(length), endStream, padLength);

    public static byte[] Ping(ulong opaque, bool ack = false) => Write(o => FrameWriter.WritePing(o, opaque, ack));

    public static byte[] RstStream(int streamId, Http2ErrorCode code) => Write(o => FrameWriter.WriteRstStream(o, streamId, code));

    public static byte[] WindowUpdate(int streamId, int increment) => Write(o => FrameWriter.WriteWindowUpdate(o, streamId, increment));

    public static byte[] Priority(int streamId, int dependency = 0, bool exclusive = false, byte weight = 15) =>
        Write(o => FrameWriter.WritePriority(o, streamId, dependency, exclusive, weight));

    public static byte[] GoAway(int lastStreamId, Http2ErrorCode code, string debug = "") =>
        Write(o => FrameWriter.WriteGoAway(o, lastStreamId, code, System.Text.Encoding.ASCII.GetBytes(debug)));

    public static byte[] Raw(FrameType type, FrameFlags flags, int streamId, byte[] payload) =>
        Write(o => FrameWriter.WriteRaw(o, type, flags, streamId, payload));

    /// <summary>Only the 9-octet header of a frame announcing <paramref name="length"/> payload octets.</summary>
    public static byte[] HeaderOnly(int length, FrameType type, FrameFlags flags, int streamId)
    {
        var bytes = new byte[Http2Constants.FrameHeaderLength];
        new FrameHeader(length, type, flags, streamId).Write(bytes);
        return bytes;
    }

    /// <summary>Recognisable body octets: 0, 1, 2, ... modulo 251.</summary>
    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i % 251);
        }

        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }
}
