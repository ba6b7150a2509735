using System.Buffers;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>Once warm, decoding and encoding allocate nothing on the managed heap.</summary>
public class HPackAllocationTests
{
    private sealed class CountingSink : IHeaderFieldSink
    {
        public long Octets;

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Octets += name.Length + value.Length;
    }

    [Fact]
    public void Decoding_allocates_nothing_once_warm()
    {
        byte[][] blocks = [.. RfcExamples.C4.Select(s => Hex.Parse(s.Hex)), .. RfcExamples.C6.Select(s => Hex.Parse(s.Hex))];
        var decoder = new HPackDecoder(256);
        var sink = new CountingSink();
        for (int i = 0; i < 200; i++)
        {
            foreach (byte[] block in blocks)
            {
                decoder.Decode(block, sink);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (byte[] block in blocks)
            {
                decoder.Decode(block, sink);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sink.Octets > 0);
    }

    [Fact]
    public void Encoding_allocates_nothing_once_warm()
    {
        var encoder = new HPackEncoder();
        var output = new ArrayBufferWriter<byte>(4096);
        void EncodeResponse(int i)
        {
            output.ResetWrittenCount();
            encoder.BeginHeaderBlock(output);
            encoder.EncodeStatus(output, i % 2 == 0 ? 200 : 302);
            encoder.EncodeHeader(output, "content-type", "text/plain");
            encoder.EncodeHeader(output, "date", i % 3 == 0 ? "Mon, 21 Oct 2013 20:13:21 GMT" : "Mon, 21 Oct 2013 20:13:22 GMT");
            encoder.EncodeHeader(output, "x-request-id", i % 5 == 0 ? "abcdef" : "ghijkl", HeaderIndexing.WithoutIndexing);
            encoder.EncodeHeader(output, "set-cookie", "id=1", HeaderIndexing.NeverIndexed);
        }

        for (int i = 0; i < 200; i++)
        {
            EncodeResponse(i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            EncodeResponse(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(output.WrittenCount > 0);
    }
}
