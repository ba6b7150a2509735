using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Testing;

/// <summary>
/// Builds client frames as octets with <see cref="FrameWriter"/> and <see cref="TestFrameWriter"/>. Header blocks go
/// through the client's own <see cref="HPackEncoder"/>, so blocks must be sent in the order they were built (the
/// dynamic table persists).
/// </summary>
internal sealed class FrameBuilder
{
    /// <summary>The client's HPACK encoder.</summary>
    public HPackEncoder Encoder { get; } = new();

    /// <summary>The usual pseudo-headers of a request, in order.</summary>
    public static (string Name, string Value)[] RequestFields(string method = "GET", string path = "/", string scheme = "https", string authority = "localhost") =>
        [(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)];

    /// <summary>Encodes <paramref name="fields"/> exactly as given (any order, any case) into one header block.</summary>
    public byte[] HeaderBlock(params (string Name, string Value)[] fields) => HeaderBlock(HeaderIndexing.Incremental, fields);

    /// <summary>Encodes <paramref name="fields"/> exactly as given, each with <paramref name="indexing"/>.</summary>
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

    /// <summary>A POST to /upload on <paramref name="streamId"/> whose body follows.</summary>
    public byte[] Post(int streamId, params (string Name, string Value)[] extra) =>
        Headers(streamId, HeaderBlock([.. RequestFields("POST", "/upload"), .. extra]), endStream: false);

    /// <summary>HEADERS (plus CONTINUATIONs past <paramref name="maxFrameSize"/>) with END_HEADERS on the last frame.</summary>
    public static byte[] Headers(int streamId, byte[] block, bool endStream, int maxFrameSize = Http2Constants.DefaultMaxFrameSize) =>
        Write(o => FrameWriter.WriteHeaders(o, streamId, block, endStream, maxFrameSize));

    /// <summary>A HEADERS frame with explicit flags and optional padding and priority fields around <paramref name="fragment"/>.</summary>
    public static byte[] HeadersFrame(int streamId, byte[] fragment, FrameFlags flags, int padLength = -1, (int Dependency, bool Exclusive, byte Weight)? priority = null)
    {
        int padFields = padLength >= 0 ? 1 : 0;
        int prefix = padFields + (priority is null ? 0 : TestFrameWriter.PriorityFieldsLength);
        byte[] payload = new byte[prefix + fragment.Length + Math.Max(padLength, 0)]; // the padding stays zero
        if (padLength >= 0)
        {
            flags |= FrameFlags.Padded;
            payload[0] = (byte)padLength;
        }

        if (priority is { } p)
        {
            flags |= FrameFlags.Priority;
            TestFrameWriter.WritePriorityFields(payload.AsSpan(padFields), p.Dependency, p.Exclusive, p.Weight);
        }

        fragment.CopyTo(payload, prefix);
        return Raw(FrameType.Headers, flags, streamId, payload);
    }

    /// <summary>A CONTINUATION carrying <paramref name="fragment"/>.</summary>
    public static byte[] Continuation(int streamId, byte[] fragment, bool endHeaders) =>
        Raw(FrameType.Continuation, endHeaders ? FrameFlags.EndHeaders : FrameFlags.None, streamId, fragment);

    /// <summary>The client connection preface (§3.4).</summary>
    public static byte[] Preface() => Http2Constants.ClientPreface.ToArray();

    /// <summary>SETTINGS with the given parameters, in order.</summary>
    public static byte[] Settings(params (SettingsParameter Id, uint Value)[] settings)
    {
        KeyValuePair<SettingsParameter, uint>[] list = [.. settings.Select(s => new KeyValuePair<SettingsParameter, uint>(s.Id, s.Value))];
        return Write(o => FrameWriter.WriteSettings(o, list));
    }

    /// <summary>An empty SETTINGS with ACK.</summary>
    public static byte[] SettingsAck() => Write(FrameWriter.WriteSettingsAck);

    /// <summary>DATA carrying <paramref name="data"/>, optionally padded.</summary>
    public static byte[] Data(int streamId, byte[] data, bool endStream = false, int padLength = 0) =>
        Write(o => FrameWriter.WriteData(o, streamId, data, endStream, padLength));

    /// <summary>DATA carrying <paramref name="length"/> octets of <see cref="Pattern"/>.</summary>
    public static byte[] Data(int streamId, int length, bool endStream = false, int padLength = 0) =>
        Data(streamId, Pattern(length), endStream, padLength);

    /// <summary>PING, or its ACK.</summary>
    public static byte[] Ping(ulong opaque, bool ack = false) => Write(o => FrameWriter.WritePing(o, opaque, ack));

    /// <summary>RST_STREAM with <paramref name="code"/>.</summary>
    public static byte[] RstStream(int streamId, Http2ErrorCode code) => Write(o => FrameWriter.WriteRstStream(o, streamId, code));

    /// <summary>WINDOW_UPDATE of <paramref name="increment"/>.</summary>
    public static byte[] WindowUpdate(int streamId, int increment) => Write(o => FrameWriter.WriteWindowUpdate(o, streamId, increment));

    /// <summary>PRIORITY, by default the defaults of §5.3.5.</summary>
    public static byte[] Priority(int streamId, int dependency = 0, bool exclusive = false, byte weight = 15) =>
        Write(o => TestFrameWriter.WritePriority(o, streamId, dependency, exclusive, weight));

    /// <summary>GOAWAY with ASCII debug data.</summary>
    public static byte[] GoAway(int lastStreamId, Http2ErrorCode code, string debug = "") =>
        Write(o => FrameWriter.WriteGoAway(o, lastStreamId, code, System.Text.Encoding.ASCII.GetBytes(debug)));

    /// <summary>Any frame, as given.</summary>
    public static byte[] Raw(FrameType type, FrameFlags flags, int streamId, byte[] payload) =>
        Write(o => TestFrameWriter.WriteRaw(o, type, flags, streamId, payload));

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

    /// <summary>The parts one after the other.</summary>
    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }
}
