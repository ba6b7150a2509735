using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;
using Http2Lab.Http2.Session.Client;

namespace Http2Lab.Benchmarks;

/// <summary>
/// One request through the client's sans-IO session, as the client library runs it: <c>SubmitRequest</c> (GET, END_STREAM)
/// → output drained → the server's HEADERS (<c>:status 200</c>, content-type, repeat block: all HPACK indexes) and
/// DATA <c>Hello World\n</c> with END_STREAM in one <c>Receive</c> → <c>OnResponse</c> / <c>OnResponseData</c> →
/// <c>AcknowledgeData</c>. The counterpart of <see cref="RoundTripBenchmarks"/>; <c>Batch16</c> submits 16 requests and
/// feeds their 16 responses in one Receive, and reports per request.
/// </summary>
[MemoryDiagnoser]
public class ClientRoundTripBenchmarks
{
    private const int Batch = 16;

    private readonly AcknowledgingClientHandler _handler = new();
    private Http2ClientSession _session = null!;
    private Http2ClientRequestHead _request = null!;
    private byte[] _response = [];
    private byte[] _batch = [];

    [Params(RequestKind.Minimal, RequestKind.Browser)]
    public RequestKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KeyValuePair<string, string>[] fields = Kind == RequestKind.Browser ? ClientTraffic.BrowserGet : ClientTraffic.MinimalGet;
        _request = new Http2ClientRequestHead(fields[0].Value, fields[1].Value, fields[2].Value, fields[3].Value, fields[4..]);

        var server = new HPackEncoder();
        KeyValuePair<string, string>[] response = [new(":status", "200"), .. ClientTraffic.HelloResponseHeaders];
        byte[] firstBlock = ClientTraffic.EncodeBlock(server, response, HeaderIndexing.Incremental);
        byte[] repeatBlock = ClientTraffic.EncodeBlock(server, response, HeaderIndexing.Incremental);

        _session = new Http2ClientSession(new Http2Limits(), _handler);
        _handler.Session = _session;
        _session.Start();
        Feed(ClientTraffic.Frames(w =>
        {
            FrameWriter.WriteSettings(w, []);
            FrameWriter.WriteSettingsAck(w);
        }));
        _session.AdvanceOutput(_session.PendingOutput.Length);

        // The first response fills the client's HPACK table; the measured ones are the repeat block.
        RoundTripWith(ResponseFrames(firstBlock, 1));
        _response = ResponseFrames(repeatBlock, 1);
        _batch = ResponseFrames(repeatBlock, Batch);

        // Sanity: a request goes through and leaves no stream behind.
        RoundTrip();
        RoundTrip_Batch16();
        if (_session.ActiveStreamCount != 0 || _session.IsCompleted || _handler.Responses != _handler.Ends)
        {
            throw new InvalidOperationException("streams left open or connection closed");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark]
    public int RoundTrip() => RoundTripWith(_response);

    [Benchmark(OperationsPerInvoke = Batch)]
    public int RoundTrip_Batch16()
    {
        int first = Submit();
        for (int i = 1; i < Batch; i++)
        {
            Submit();
        }

        _session.AdvanceOutput(_session.PendingOutput.Length);
        WriteStreamIds(_batch, first);
        Feed(_batch);
        return first;
    }

    private int RoundTripWith(byte[] frames)
    {
        int id = Submit();
        _session.AdvanceOutput(_session.PendingOutput.Length);
        WriteStreamIds(frames, id);
        Feed(frames);
        return id;
    }

    private int Submit()
    {
        int id = _session.SubmitRequest(_request, endStream: true);
        if (id == 0)
        {
            throw new InvalidOperationException("stream ids used up or connection closed");
        }

        return id;
    }

    private void Feed(byte[] frames)
    {
        long consumed = _session.Receive(new ReadOnlySequence<byte>(frames));
        if (consumed != frames.Length || _session.IsCompleted)
        {
            throw new InvalidOperationException($"response not accepted ({consumed} of {frames.Length} octets)");
        }

        // WINDOW_UPDATEs the acknowledgements produced, batched by the session.
        _session.AdvanceOutput(_session.PendingOutput.Length);
    }

    /// <summary><paramref name="count"/> responses (HEADERS + DATA each) for consecutive streams; ids written per run.</summary>
    private static byte[] ResponseFrames(byte[] block, int count) => ClientTraffic.Frames(w =>
    {
        for (int i = 0; i < count; i++)
        {
            FrameWriter.WriteHeaders(w, 1, block, endStream: false, Http2Constants.DefaultMaxFrameSize);
            FrameWriter.WriteData(w, 1, ClientTraffic.HelloBody, endStream: true);
        }
    });

    /// <summary>Writes consecutive odd stream ids from <paramref name="firstId"/> into every frame of <paramref name="frames"/>.</summary>
    private static void WriteStreamIds(byte[] frames, int firstId)
    {
        int offset = 0;
        int id = firstId;
        while (offset < frames.Length)
        {
            int length = (frames[offset] << 16) | (frames[offset + 1] << 8) | frames[offset + 2];
            BinaryPrimitives.WriteInt32BigEndian(frames.AsSpan(offset + 5), id);
            if (frames[offset + 3] == (byte)FrameType.Data)
            {
                id += 2; // a response's DATA is its last frame
            }

            offset += Http2Constants.FrameHeaderLength + length;
        }
    }
}

/// <summary>A client handler that consumes every response at once: its body's credit goes straight back.</summary>
internal sealed class AcknowledgingClientHandler : IHttp2ClientSessionHandler
{
    public Http2ClientSession? Session;
    public int Responses;
    public int Ends;

    public void OnResponse(int streamId, int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream) => Responses++;

    public void OnResponseData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        Session!.AcknowledgeData(streamId, data.Length);
        if (endStream)
        {
            Ends++;
        }
    }

    public void OnResponseTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
    }

    public void OnStreamReset(int streamId, Http2ErrorCode errorCode, bool refused) =>
        throw new InvalidOperationException($"stream {streamId} reset: {errorCode}");

    public void OnStreamWritable(int streamId)
    {
    }

    public void OnPingAck(ulong opaqueData)
    {
    }

    public void OnGoAway(int lastStreamId, Http2ErrorCode errorCode, string debugData)
    {
    }
}
