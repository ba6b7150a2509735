using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>Decoding the examples of RFC 7541 Appendix C.2 to C.6.</summary>
public class HPackDecoderRfcExampleTests
{
    [Fact]
    public void C_2_1_literal_with_indexing()
    {
        var decoder = new HPackDecoder();
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), sink);

        Assert.Equal([("custom-key", "custom-header", false)], sink.Fields);
        TableAssert.Equal([("custom-key", "custom-header")], 55, decoder.Table);
        Assert.Equal(55, decoder.DynamicTableSize);
        Assert.Equal(1, decoder.DynamicTableCount);
    }

    [Fact]
    public void C_2_2_literal_without_indexing()
    {
        var decoder = new HPackDecoder();
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("040c 2f73 616d 706c 652f 7061 7468"), sink);

        Assert.Equal([(":path", "/sample/path", false)], sink.Fields);
        Assert.Equal(0, decoder.DynamicTableCount);
        Assert.Equal(0, decoder.DynamicTableSize);
    }

    [Fact]
    public void C_2_3_literal_never_indexed()
    {
        var decoder = new HPackDecoder();
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("1008 7061 7373 776f 7264 0673 6563 7265 74"), sink);

        Assert.Equal([("password", "secret", true)], sink.Fields);
        Assert.Equal(0, decoder.DynamicTableCount);
        Assert.Equal(0, decoder.DynamicTableSize);
    }

    [Fact]
    public void C_2_4_indexed_field()
    {
        var decoder = new HPackDecoder();
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("82"), sink);

        Assert.Equal([(":method", "GET", false)], sink.Fields);
        Assert.Equal(0, decoder.DynamicTableCount);
    }

    [Theory]
    [InlineData("C.3")]
    [InlineData("C.4")]
    [InlineData("C.5")]
    [InlineData("C.6")]
    public void Header_list_sequences_decode_with_one_decoder(string section)
    {
        (RfcExampleStep[] steps, int tableSize) = RfcExamples.Get(section);
        var decoder = new HPackDecoder(tableSize);
        foreach (RfcExampleStep step in steps)
        {
            var sink = new RecordingSink();
            decoder.Decode(Hex.Parse(step.Hex), sink);

            Assert.Equal(step.Fields, sink.Pairs);
            Assert.All(sink.Fields, f => Assert.False(f.NeverIndexed));
            TableAssert.Equal(step.Table, step.TableSize, decoder.Table);
            Assert.Equal(step.TableSize, decoder.DynamicTableSize);
            Assert.Equal(step.Table.Length, decoder.DynamicTableCount);
        }
    }
}
