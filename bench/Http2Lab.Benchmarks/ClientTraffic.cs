using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;

namespace Http2Lab.Benchmarks;

/// <summary>What a client sends: request header lists, encoded header blocks and frames, built once per benchmark.</summary>
internal static class ClientTraffic
{
    /// <summary>A typical browser navigation (Chrome on Linux), as in the seed's "typical browser GET".</summary>
    public static readonly KeyValuePair<string, string>[] BrowserGet =
    [
        new(":method", "GET"),
        new(":scheme", "https"),
        new(":authority", "localhost:8443"),
        new(":path", "/"),
        new("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
        new("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"),
        new("accept-encoding", "gzip, deflate, br, zstd"),
        new("accept-language", "en-US,en;q=0.9,fr;q=0.8"),
        new("cookie", "session=6f1c2a7e9b3d4c8a; theme=dark; _ga=GA1.1.123456789.1700000000"),
    ];

    /// <summary>What h2load sends for <c>GET /</c>: the pseudo-headers and its user-agent.</summary>
    public static readonly KeyValuePair<string, string>[] MinimalGet =
    [
        new(":method", "GET"),
        new(":scheme", "http"),
        new(":authority", "127.0.0.1:8080"),
        new(":path", "/"),
        new("user-agent", "h2load nghttp2/1.52.0"),
    ];

    /// <summary>The sample's response to <c>GET /</c> (besides :status 200).</summary>
    public static readonly KeyValuePair<string, string>[] HelloResponseHeaders = [new("content-type", "text/plain")];

    public static ReadOnlySpan<byte> HelloBody => "Hello World\n"u8;

    /// <summary>
    /// Encodes <paramref name="fields"/> as one header block. Every field uses <paramref name="indexing"/>;
    /// with an encoder that already sent the same list incrementally, every field comes out as a table index.
    /// </summary>
    public static byte[] EncodeBlock(HPackEncoder encoder, IReadOnlyList<KeyValuePair<string, string>> fields, HeaderIndexing indexing)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        encoder.BeginHeaderBlock(output);
        foreach (KeyValuePair<string, string> field in fields)
        {
            encoder.EncodeHeader(output, field.Key, field.Value, indexing);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Client preface, an empty SETTINGS and the ACK of the server's SETTINGS.</summary>
    public static byte[] Handshake()
    {
        var output = new ArrayBufferWriter<byte>(256);
        output.Write(Http2Constants.ClientPreface);
        FrameWriter.WriteSettings(output, []);
        FrameWriter.WriteSettingsAck(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A session past the handshake, its output drained.</summary>
    public static Http2Session StartedSession(IHttp2SessionHandler handler, Http2Limits? limits = null)
    {
        var session = new Http2Session(limits ?? new Http2Limits(), handler);
        byte[] handshake = Handshake();
        long consumed = session.Receive(new ReadOnlySequence<byte>(handshake));
        if (consumed != handshake.Length || session.IsCompleted)
        {
            throw new InvalidOperationException($"handshake not accepted ({consumed} of {handshake.Length} octets)");
        }

        session.AdvanceOutput(session.PendingOutput.Length);
        return session;
    }

    public static byte[] Frames(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        write(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Splits <paramref name="data"/> into a chain of segments, as a pipe delivers it.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, int segmentSize)
    {
        var first = new Segment(data.AsMemory(0, Math.Min(segmentSize, data.Length)), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

/// <summary>
/// The client's side of connection flow control: the session may send only 65535 octets of DATA until the client
/// returns credit with WINDOW_UPDATE on stream 0. Like a real client, this returns it in batches: every 32 KiB, half
/// the default window, as nghttp2 does, so no response ever waits for window; from a preallocated frame.
/// </summary>
internal sealed class ConnectionCredit
{
    private const int Batch = 32 * 1024;
    private readonly byte[] _frame = new byte[Http2Constants.FrameHeaderLength + 4];
    private int _unreturned;

    public void Consumed(Http2Session session, int octets)
    {
        _unreturned += octets;
        if (_unreturned < Batch)
        {
            return;
        }

        new FrameHeader(4, FrameType.WindowUpdate, FrameFlags.None, 0).Write(_frame);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(_frame.AsSpan(Http2Constants.FrameHeaderLength), _unreturned);
        if (session.Receive(new ReadOnlySequence<byte>(_frame)) != _frame.Length || session.IsCompleted)
        {
            throw new InvalidOperationException("WINDOW_UPDATE not accepted");
        }

        _unreturned = 0;
    }
}

/// <summary>A session handler that only remembers the last request's stream id.</summary>
internal sealed class LastRequestHandler : IHttp2SessionHandler
{
    public int LastStreamId;
    public int Requests;

    public void OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        LastStreamId = streamId;
        Requests++;
    }

    public void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
    }

    public void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
    }

    public void OnStreamReset(int streamId, Http2ErrorCode errorCode) =>
        throw new InvalidOperationException($"stream {streamId} reset: {errorCode}");

    public void OnStreamWritable(int streamId)
    {
    }

    public void OnGoAway(int lastStreamId, Http2ErrorCode errorCode)
    {
    }
}

/// <summary>An HPACK sink that only counts octets, so the decoder's work cannot be optimised away.</summary>
internal sealed class CountingSink : IHeaderFieldSink
{
    public long Octets;

    public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
        Octets += name.Length + value.Length;
}
