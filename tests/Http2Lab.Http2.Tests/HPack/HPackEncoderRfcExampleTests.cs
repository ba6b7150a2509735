using System.Buffers;
using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>Encoding the examples of RFC 7541 Appendix C.2 to C.6 byte for byte.</summary>
public class HPackEncoderRfcExampleTests
{
    [Fact]
    public void C_2_1_literal_with_indexing()
    {
        var encoder = new HPackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.EncodeHeader(output, "custom-key", "custom-header", HeaderIndexing.Incremental, huffman: false);

        Assert.Equal(Hex.Normalize("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), Hex.Format(output.WrittenSpan));
        TableAssert.Equal([("custom-key", "custom-header")], 55, encoder.Table);
    }

    [Fact]
    public void C_2_2_literal_without_indexing()
    {
        var encoder = new HPackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.EncodeHeader(output, ":path", "/sample/path", HeaderIndexing.WithoutIndexing, huffman: false);

        Assert.Equal(Hex.Normalize("040c 2f73 616d 706c 652f 7061 7468"), Hex.Format(output.WrittenSpan));
        Assert.Equal(0, encoder.DynamicTableCount);
    }

    [Fact]
    public void C_2_3_literal_never_indexed()
    {
        var encoder = new HPackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.EncodeHeader(output, "password", "secret", HeaderIndexing.NeverIndexed, huffman: false);

        Assert.Equal(Hex.Normalize("1008 7061 7373 776f 7264 0673 6563 7265 74"), Hex.Format(output.WrittenSpan));
        Assert.Equal(0, encoder.DynamicTableCount);
    }

    [Fact]
    public void C_2_4_indexed_field()
    {
        var encoder = new HPackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.EncodeHeader(output, ":method", "GET");

        Assert.Equal("82", Hex.Format(output.WrittenSpan));
        Assert.Equal(0, encoder.DynamicTableCount);
    }

    [Theory]
    [InlineData("C.3", nameof(HuffmanPolicy.Never), false)]
    [InlineData("C.3", nameof(HuffmanPolicy.Never), true)]
    [InlineData("C.4", nameof(HuffmanPolicy.Always), false)]
    [InlineData("C.4", nameof(HuffmanPolicy.Always), true)]
    [InlineData("C.4", nameof(HuffmanPolicy.Shorter), false)] // every C.4 literal is shorter in Huffman form
    [InlineData("C.5", nameof(HuffmanPolicy.Never), false)]
    [InlineData("C.5", nameof(HuffmanPolicy.Never), true)]
    [InlineData("C.6", nameof(HuffmanPolicy.Always), false)]
    [InlineData("C.6", nameof(HuffmanPolicy.Always), true)]
    public void Header_list_sequences_encode_exactly(string section, string policyName, bool stringOverload)
    {
        HuffmanPolicy policy = Enum.Parse<HuffmanPolicy>(policyName); // by name: the enum is internal, test methods are public
        (RfcExampleStep[] steps, int tableSize) = RfcExamples.Get(section);
        var encoder = new HPackEncoder(tableSize) { Huffman = policy };
        foreach (RfcExampleStep step in steps)
        {
            var output = new ArrayBufferWriter<byte>();
            encoder.BeginHeaderBlock(output);
            foreach ((string name, string value) in step.Fields)
            {
                if (stringOverload)
                {
                    encoder.EncodeHeader(output, name, value);
                }
                else
                {
                    encoder.EncodeHeader(output, Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value));
                }
            }

            Assert.Equal(Hex.Normalize(step.Hex), Hex.Format(output.WrittenSpan));
            TableAssert.Equal(step.Table, step.TableSize, encoder.Table);
            Assert.Equal(step.TableSize, encoder.DynamicTableSize);
            Assert.Equal(step.Table.Length, encoder.DynamicTableCount);
        }
    }
}
