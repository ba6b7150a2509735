using System.Buffers;
using BenchmarkDotNet.Attributes;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Benchmarks;

/// <summary>
/// HPACK on the hot path. Decoding: a browser GET once the dynamic table holds it (the second request of a
/// connection: all indexed), and the same request as literals without indexing (static name indexes), Huffman-coded
/// or raw; neither changes the decoder's table, so every operation sees the same state. Encoding: the sample's kind
/// of response, with an encoder whose table has already seen it.
/// </summary>
[MemoryDiagnoser]
public class HPackBenchmarks
{
    private readonly CountingSink _sink = new();
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private HPackDecoder _indexedDecoder = null!;
    private HPackDecoder _literalDecoder = null!;
    private byte[] _indexedBlock = [];
    private byte[] _huffmanLiteralBlock = [];
    private byte[] _rawLiteralBlock = [];
    private HPackEncoder _encoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One client encoder, the same request twice: the second block is all indexes.
        var client = new HPackEncoder();
        byte[] first = ClientTraffic.EncodeBlock(client, ClientTraffic.BrowserGet, HeaderIndexing.Incremental);
        _indexedBlock = ClientTraffic.EncodeBlock(client, ClientTraffic.BrowserGet, HeaderIndexing.Incremental);
        _indexedDecoder = new HPackDecoder();
        _indexedDecoder.Decode(first, _sink);
        int entries = _indexedDecoder.DynamicTableCount;
        _indexedDecoder.Decode(_indexedBlock, _sink);
        if (_indexedDecoder.DynamicTableCount != entries || _indexedBlock.Length != ClientTraffic.BrowserGet.Length)
        {
            throw new InvalidOperationException($"second block is not all indexes ({_indexedBlock.Length} octets)");
        }

        _huffmanLiteralBlock = ClientTraffic.EncodeBlock(new HPackEncoder { Huffman = HuffmanPolicy.Always }, ClientTraffic.BrowserGet, HeaderIndexing.WithoutIndexing);
        _rawLiteralBlock = ClientTraffic.EncodeBlock(new HPackEncoder { Huffman = HuffmanPolicy.Never }, ClientTraffic.BrowserGet, HeaderIndexing.WithoutIndexing);
        _literalDecoder = new HPackDecoder();
        _literalDecoder.Decode(_huffmanLiteralBlock, _sink);
        _literalDecoder.Decode(_rawLiteralBlock, _sink);
        if (_literalDecoder.DynamicTableCount != 0)
        {
            throw new InvalidOperationException("literal blocks changed the table");
        }

        _encoder = new HPackEncoder();
        for (int i = 0; i < 4; i++)
        {
            EncodeResponse_Strings();
            EncodeResponse_Bytes();
        }
    }

    [Benchmark]
    public long Decode_BrowserGet_Indexed()
    {
        _indexedDecoder.Decode(_indexedBlock, _sink);
        return _sink.Octets;
    }

    [Benchmark]
    public long Decode_BrowserGet_LiteralHuffman()
    {
        _literalDecoder.Decode(_huffmanLiteralBlock, _sink);
        return _sink.Octets;
    }

    [Benchmark]
    public long Decode_BrowserGet_LiteralRaw()
    {
        _literalDecoder.Decode(_rawLiteralBlock, _sink);
        return _sink.Octets;
    }

    /// <summary>As <c>Http2Session</c> encodes a response: string overloads and its indexing choices.</summary>
    [Benchmark]
    public int EncodeResponse_Strings()
    {
        _output.ResetWrittenCount();
        _encoder.BeginHeaderBlock(_output);
        _encoder.EncodeStatus(_output, 200);
        _encoder.EncodeHeader(_output, "content-type", "text/plain; charset=utf-8");
        _encoder.EncodeHeader(_output, "content-length", "12", HeaderIndexing.WithoutIndexing);
        _encoder.EncodeHeader(_output, "date", "Sat, 22 Nov 2025 02:55:00 GMT", HeaderIndexing.WithoutIndexing);
        _encoder.EncodeHeader(_output, "server", "Http2Lab");
        return _output.WrittenCount;
    }

    /// <summary>The same fields given as octets (no Latin-1 narrowing).</summary>
    [Benchmark]
    public int EncodeResponse_Bytes()
    {
        _output.ResetWrittenCount();
        _encoder.BeginHeaderBlock(_output);
        _encoder.EncodeStatus(_output, 200);
        _encoder.EncodeHeader(_output, "content-type"u8, "text/plain; charset=utf-8"u8);
        _encoder.EncodeHeader(_output, "content-length"u8, "12"u8, HeaderIndexing.WithoutIndexing);
        _encoder.EncodeHeader(_output, "date"u8, "Sat, 22 Nov 2025 02:55:00 GMT"u8, HeaderIndexing.WithoutIndexing);
        _encoder.EncodeHeader(_output, "server"u8, "Http2Lab"u8);
        return _output.WrittenCount;
    }
}
