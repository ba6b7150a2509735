using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;

namespace Http2Lab.Benchmarks;

/// <summary>What the request header block looks like.</summary>
public enum RequestKind
{
    /// <summary>h2load's GET: four pseudo-headers and user-agent.</summary>
    Minimal,

    /// <summary>A browser navigation with accept*, user-agent and cookie.</summary>
    Browser,
}

/// <summary>
/// One request through the sans-IO session, as a driver and the sample's <c>GET /</c> run it: HEADERS with
/// END_STREAM in, then SendHeaders (200, content-type) and TryWriteData("Hello World\n", END_STREAM), output drained.
/// The client's header block is the repeat one (all HPACK indexes), as from the second request of a connection on.
/// <c>Batch16</c> feeds 16 requests in one Receive (as h2load -m 16 does) and reports per request.
/// </summary>
[MemoryDiagnoser]
public class RoundTripBenchmarks
{
    private const int Batch = 16;

    private readonly LastRequestHandler _handler = new();
    private readonly ConnectionCredit _credit = new();
    private readonly int[] _ids = new int[Batch];
    private Http2Session _session = null!;
    private byte[] _single = [];
    private byte[] _batch = [];
    private int[] _batchIdOffsets = [];
    private int _nextStreamId = 1;

    [Params(RequestKind.Minimal, RequestKind.Browser)]
    public RequestKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KeyValuePair<string, string>[] fields = Kind == RequestKind.Browser ? ClientTraffic.BrowserGet : ClientTraffic.MinimalGet;
        var client = new HPackEncoder();
        byte[] firstBlock = ClientTraffic.EncodeBlock(client, fields, HeaderIndexing.Incremental);
        byte[] repeatBlock = ClientTraffic.EncodeBlock(client, fields, HeaderIndexing.Incremental);

        _session = ClientTraffic.StartedSession(_handler);
        byte[] first = ClientTraffic.Frames(w => FrameWriter.WriteHeaders(w, 1, firstBlock, endStream: true, Http2Constants.DefaultMaxFrameSize));
        _nextStreamId = 1;
        RespondTo(first, 1);

        _single = ClientTraffic.Frames(w => FrameWriter.WriteHeaders(w, 1, repeatBlock, endStream: true, Http2Constants.DefaultMaxFrameSize));
        _batch = ClientTraffic.Frames(w =>
        {
            for (int i = 0; i < Batch; i++)
            {
                FrameWriter.WriteHeaders(w, 1, repeatBlock, endStream: true, Http2Constants.DefaultMaxFrameSize);
            }
        });
        _batchIdOffsets = [.. Enumerable.Range(0, Batch).Select(i => (i * _single.Length) + 5)];

        // Sanity: a request goes through and leaves no stream behind.
        RoundTrip();
        RoundTrip_Batch16();
        if (_session.ActiveStreamCount != 0 || _session.IsCompleted)
        {
            throw new InvalidOperationException("streams left open or connection closed");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark]
    public int RoundTrip()
    {
        int id = _nextStreamId += 2;
        BinaryPrimitives.WriteInt32BigEndian(_single.AsSpan(5), id);
        RespondTo(_single, 1);
        return id;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int RoundTrip_Batch16()
    {
        for (int i = 0; i < Batch; i++)
        {
            int id = _nextStreamId += 2;
            _ids[i] = id;
            BinaryPrimitives.WriteInt32BigEndian(_batch.AsSpan(_batchIdOffsets[i]), id);
        }

        long consumed = _session.Receive(new ReadOnlySequence<byte>(_batch));
        if (consumed != _batch.Length)
        {
            throw new InvalidOperationException($"consumed {consumed} of {_batch.Length}");
        }

        foreach (int id in _ids)
        {
            Respond(id);
        }

        _session.AdvanceOutput(_session.PendingOutput.Length);
        return _ids[^1];
    }

    private void RespondTo(byte[] frames, int expectedRequests)
    {
        int before = _handler.Requests;
        long consumed = _session.Receive(new ReadOnlySequence<byte>(frames));
        if (consumed != frames.Length || _handler.Requests - before != expectedRequests)
        {
            throw new InvalidOperationException($"request not delivered ({consumed} of {frames.Length} octets)");
        }

        Respond(_handler.LastStreamId);
        _session.AdvanceOutput(_session.PendingOutput.Length);
    }

    private void Respond(int id)
    {
        if (!_session.SendHeaders(id, 200, ClientTraffic.HelloResponseHeaders, endStream: false)
            || !_session.TryWriteData(id, ClientTraffic.HelloBody, endStream: true, out int accepted)
            || accepted != ClientTraffic.HelloBody.Length)
        {
            throw new InvalidOperationException($"response on stream {id} not accepted");
        }

        _credit.Consumed(_session, accepted);
    }
}
