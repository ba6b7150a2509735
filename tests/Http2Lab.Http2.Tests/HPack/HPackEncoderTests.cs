using System.Buffers;
using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

public class HPackEncoderTests
{
    private static string Block(HPackEncoder encoder, Action<ArrayBufferWriter<byte>> encode)
    {
        var output = new ArrayBufferWriter<byte>();
        encoder.BeginHeaderBlock(output);
        encode(output);
        return Hex.Format(output.WrittenSpan);
    }

    [Fact]
    public void Lowering_then_raising_between_blocks_emits_the_minimum_then_the_final_size()
    {
        var encoder = new HPackEncoder();
        encoder.SetPeerMaxTableSize(0);
        encoder.SetPeerMaxTableSize(4096);

        Assert.Equal("203fe11f", Block(encoder, _ => { })); // 0, then 4096 (§4.2)
        Assert.Equal(string.Empty, Block(encoder, _ => { })); // nothing pending any more
    }

    [Fact]
    public void Lowering_twice_emits_only_the_final_size()
    {
        var encoder = new HPackEncoder();
        encoder.SetPeerMaxTableSize(1000);
        encoder.SetPeerMaxTableSize(500);
        Assert.Equal("3fd503", Block(encoder, _ => { })); // 500
        Assert.Equal(500, encoder.Table.MaxSize);
    }

    [Fact]
    public void Unchanged_size_emits_nothing()
    {
        var encoder = new HPackEncoder();
        encoder.SetPeerMaxTableSize(4096);
        Assert.Equal(string.Empty, Block(encoder, _ => { }));
    }

    [Fact]
    public void Peer_size_is_capped_by_the_constructor_limit()
    {
        var encoder = new HPackEncoder(256);
        encoder.SetPeerMaxTableSize(65536);
        Assert.Equal(string.Empty, Block(encoder, _ => { })); // still 256
        Assert.Equal(256, encoder.Table.MaxSize);

        encoder.SetPeerMaxTableSize(100);
        Assert.Equal("3f45", Block(encoder, _ => { }));
        encoder.SetPeerMaxTableSize(65536);
        Assert.Equal("3fe101", Block(encoder, _ => { })); // back to 256
        Assert.Equal(256, encoder.Table.MaxSize);
    }

    [Fact]
    public void Lowered_size_evicts_immediately_and_the_decoder_follows()
    {
        var encoder = new HPackEncoder();
        var decoder = new HPackDecoder();
        var first = new ArrayBufferWriter<byte>();
        encoder.BeginHeaderBlock(first);
        encoder.EncodeHeader(first, "x-one", "1111111111");     // 32 + 15 = 47
        encoder.EncodeHeader(first, "x-two", "2222222222");     // 47
        encoder.EncodeHeader(first, "x-three", "3333333333");   // 49
        decoder.Decode(first.WrittenSpan, new RecordingSink());
        Assert.Equal(143, encoder.DynamicTableSize);

        encoder.SetPeerMaxTableSize(100);
        Assert.Equal(2, encoder.DynamicTableCount); // x-one evicted
        Assert.Equal(96, encoder.DynamicTableSize);

        var second = new ArrayBufferWriter<byte>();
        encoder.BeginHeaderBlock(second);
        encoder.EncodeHeader(second, "x-two", "2222222222"); // still indexed: 63 after the update
        Assert.Equal("3f45bf", Hex.Format(second.WrittenSpan));

        var sink = new RecordingSink();
        decoder.MaxDynamicTableSize = 100;
        decoder.Decode(second.WrittenSpan, sink);
        Assert.Equal([("x-two", "2222222222", false)], sink.Fields);
        Assert.Equal(TableAssert.Entries(encoder.Table), TableAssert.Entries(decoder.Table));
    }

    [Fact]
    public void Never_indexed_fields_round_trip_and_enter_no_table()
    {
        var encoder = new HPackEncoder();
        var decoder = new HPackDecoder();
        string block = Block(encoder, o =>
        {
            encoder.EncodeHeader(o, "authorization", "Bearer abc", HeaderIndexing.NeverIndexed);
            encoder.EncodeHeader(o, "x-secret", "s3cr3t", HeaderIndexing.NeverIndexed, huffman: false);
        });

        Assert.Equal("1f08", block[..4]); // never indexed, name index 23 (authorization) = 15 + 8
        Assert.Equal(0, encoder.DynamicTableCount);

        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse(block), sink);
        Assert.Equal([("authorization", "Bearer abc", true), ("x-secret", "s3cr3t", true)], sink.Fields);
        Assert.Equal(0, decoder.DynamicTableCount);
    }

    [Fact]
    public void Never_indexed_fields_are_literals_even_when_a_table_holds_them()
    {
        var encoder = new HPackEncoder { Huffman = HuffmanPolicy.Never };

        // Static full match (:method GET, index 2): a never-indexed literal with name index 2.
        Assert.Equal("1203474554", Block(encoder, o => encoder.EncodeHeader(o, ":method", "GET", HeaderIndexing.NeverIndexed)));

        // Dynamic full match (index 62): a never-indexed literal with name index 62 = 15 + 47.
        Block(encoder, o => encoder.EncodeHeader(o, "x-k", "v"));
        Assert.Equal("be", Block(encoder, o => encoder.EncodeHeader(o, "x-k", "v")));
        Assert.Equal("1f2f0176", Block(encoder, o => encoder.EncodeHeader(o, "x-k", "v", HeaderIndexing.NeverIndexed)));
        Assert.Equal(1, encoder.DynamicTableCount);
    }

    [Fact]
    public void Without_indexing_uses_a_full_match_but_does_not_insert()
    {
        var encoder = new HPackEncoder { Huffman = HuffmanPolicy.Never };
        Assert.Equal("82", Block(encoder, o => encoder.EncodeHeader(o, ":method", "GET", HeaderIndexing.WithoutIndexing)));
        Assert.Equal("0003782d6b0176", Block(encoder, o => encoder.EncodeHeader(o, "x-k", "v", HeaderIndexing.WithoutIndexing)));
        Assert.Equal(0, encoder.DynamicTableCount);
    }

    [Fact]
    public void Name_match_prefers_the_static_table_then_the_newest_dynamic_entry()
    {
        var encoder = new HPackEncoder { Huffman = HuffmanPolicy.Never };
        Block(encoder, o => encoder.EncodeHeader(o, "x-k", "1"));
        Block(encoder, o => encoder.EncodeHeader(o, "x-k", "2"));
        Block(encoder, o => encoder.EncodeHeader(o, "content-type", "a")); // name from static 31

        // x-k is at 63 (value 2) and 64 (value 1); the smallest index is used for the name.
        Assert.Equal("0f300133", Block(encoder, o => encoder.EncodeHeader(o, "x-k", "3", HeaderIndexing.WithoutIndexing)));
        // content-type: static index 31 even though the dynamic table also has the name at 62.
        Assert.Equal("0f100162", Block(encoder, o => encoder.EncodeHeader(o, "content-type", "b", HeaderIndexing.WithoutIndexing)));
        Assert.Equal("be", Block(encoder, o => encoder.EncodeHeader(o, "content-type", "a")));
    }

    [Theory]
    [InlineData(200, "88")]
    [InlineData(204, "89")]
    [InlineData(206, "8a")]
    [InlineData(304, "8b")]
    [InlineData(400, "8c")]
    [InlineData(404, "8d")]
    [InlineData(500, "8e")]
    public void Status_codes_of_the_static_table_are_indexed(int status, string hex)
    {
        var encoder = new HPackEncoder();
        Assert.Equal(hex, Block(encoder, o => encoder.EncodeStatus(o, status)));
    }

    [Theory]
    [InlineData(nameof(HuffmanPolicy.Never), 302, "0803333032")]
    [InlineData(nameof(HuffmanPolicy.Shorter), 302, "08826402")]  // "302" is 2 octets in Huffman form
    [InlineData(nameof(HuffmanPolicy.Shorter), 307, "0803333037")] // "307" is 3 either way: not strictly shorter
    [InlineData(nameof(HuffmanPolicy.Always), 307, "0883640eff")]
    [InlineData(nameof(HuffmanPolicy.Never), 100, "0803313030")]
    [InlineData(nameof(HuffmanPolicy.Never), 999, "0803393939")]
    public void Other_status_codes_are_literals_without_indexing(string policyName, int status, string hex)
    {
        HuffmanPolicy policy = Enum.Parse<HuffmanPolicy>(policyName); // by name: the enum is internal, test methods are public
        var encoder = new HPackEncoder { Huffman = policy };
        Assert.Equal(hex, Block(encoder, o => encoder.EncodeStatus(o, status)));
        Assert.Equal(0, encoder.DynamicTableCount);

        var sink = new RecordingSink();
        new HPackDecoder().Decode(Hex.Parse(hex), sink);
        Assert.Equal([(":status", status.ToString(), false)], sink.Fields);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(1000)]
    [InlineData(-200)]
    public void Status_codes_outside_three_digits_are_rejected(int status)
    {
        var encoder = new HPackEncoder();
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.EncodeStatus(new ArrayBufferWriter<byte>(), status));
    }

    [Fact]
    public void Huffman_argument_overrides_the_policy()
    {
        var never = new HPackEncoder { Huffman = HuffmanPolicy.Never };
        Assert.Equal("040f7777772e6578616d706c652e636f6d", Block(never, o => never.EncodeHeader(o, ":path", "www.example.com", HeaderIndexing.WithoutIndexing)));
        Assert.Equal("048cf1e3c2e5f23a6ba0ab90f4ff", Block(never, o => never.EncodeHeader(o, ":path", "www.example.com", HeaderIndexing.WithoutIndexing, huffman: true)));

        var always = new HPackEncoder { Huffman = HuffmanPolicy.Always };
        Assert.Equal("040f7777772e6578616d706c652e636f6d", Block(always, o => always.EncodeHeader(o, ":path", "www.example.com", HeaderIndexing.WithoutIndexing, huffman: false)));
    }

    [Fact]
    public void Shorter_policy_keeps_raw_octets_when_Huffman_does_not_help()
    {
        var encoder = new HPackEncoder(); // Shorter is the default
        Assert.Equal(HuffmanPolicy.Shorter, encoder.Huffman);
        Assert.Equal("0402f8f9", Block(encoder, o => encoder.EncodeHeader(o, [(byte)':', (byte)'p', (byte)'a', (byte)'t', (byte)'h'], [0xf8, 0xf9], HeaderIndexing.WithoutIndexing)));
        Assert.Equal("048cf1e3c2e5f23a6ba0ab90f4ff", Block(encoder, o => encoder.EncodeHeader(o, ":path", "www.example.com", HeaderIndexing.WithoutIndexing)));
    }

    [Fact]
    public void String_overload_writes_Latin1_and_replaces_wider_characters()
    {
        var encoder = new HPackEncoder { Huffman = HuffmanPolicy.Never };
        string block = Block(encoder, o => encoder.EncodeHeader(o, "x-n", "a\u00e9\u20acb\U0001F600", HeaderIndexing.WithoutIndexing));
        // value: 'a', 0xE9, '?', 'b', then '?' '?' for the two UTF-16 units of the surrogate pair
        Assert.Equal("0003782d6e0661e93f623f3f", block);
    }

    [Fact]
    public void String_overload_narrows_long_strings_with_wide_characters_anywhere()
    {
        string value = "\u00e9" + new string('x', 20) + "\u20ac" + new string('y', 20) + "\u00ff" + new string('z', 16) + "\uffff";
        string expected = "\u00e9" + new string('x', 20) + "?" + new string('y', 20) + "\u00ff" + new string('z', 16) + "?";
        var encoder = new HPackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.EncodeHeader(output, "x-wide", value, HeaderIndexing.WithoutIndexing);

        var sink = new RecordingSink();
        new HPackDecoder().Decode(output.WrittenSpan, sink);
        Assert.Equal([("x-wide", expected, false)], sink.Fields);
    }

    [Fact]
    public void String_overload_handles_strings_longer_than_the_stack_buffer()
    {
        var encoder = new HPackEncoder();
        var decoder = new HPackDecoder();
        string value = new string('v', 3000) + "\u0100";
        var output = new ArrayBufferWriter<byte>();
        encoder.BeginHeaderBlock(output);
        encoder.EncodeHeader(output, "x-long", value);

        var sink = new RecordingSink();
        decoder.Decode(output.WrittenSpan, sink);
        Assert.Equal([("x-long", new string('v', 3000) + "?", false)], sink.Fields);
        Assert.Equal(1, encoder.DynamicTableCount);
        Assert.Equal(TableAssert.Entries(encoder.Table), TableAssert.Entries(decoder.Table));
    }

    [Fact]
    public void Field_larger_than_the_table_empties_it()
    {
        var encoder = new HPackEncoder(256);
        var decoder = new HPackDecoder(256);
        var output = new ArrayBufferWriter<byte>();
        encoder.BeginHeaderBlock(output);
        encoder.EncodeHeader(output, "x-a", "1");
        encoder.EncodeHeader(output, "x-big", new string('b', 300));
        decoder.Decode(output.WrittenSpan, new RecordingSink());

        Assert.Equal(0, encoder.DynamicTableCount);
        Assert.Equal(0, encoder.DynamicTableSize);
        Assert.Equal(0, decoder.DynamicTableCount);
    }

    [Fact]
    public void Random_header_lists_round_trip_with_tables_in_sync()
    {
        var random = new Random(4242);
        var encoder = new HPackEncoder(1024);
        var decoder = new HPackDecoder(1024, maxStringLength: 512);
        string[] names = ["x-a", "x-bb", "content-type", ":path", "cookie", "x-long-header-name", ""];
        HeaderIndexing[] modes = [HeaderIndexing.Incremental, HeaderIndexing.Incremental, HeaderIndexing.WithoutIndexing, HeaderIndexing.NeverIndexed];
        for (int blockNumber = 0; blockNumber < 2000; blockNumber++)
        {
            if (random.Next(20) == 0)
            {
                int size = random.Next(0, 1200);
                encoder.SetPeerMaxTableSize(size);
                if (random.Next(2) == 0)
                {
                    encoder.SetPeerMaxTableSize(random.Next(0, 1200));
                }
            }

            encoder.Huffman = (HuffmanPolicy)random.Next(3);
            var expected = new List<(string, string, bool)>();
            var output = new ArrayBufferWriter<byte>();
            encoder.BeginHeaderBlock(output);
            int count = random.Next(0, 12);
            for (int i = 0; i < count; i++)
            {
                string name = names[random.Next(names.Length)];
                var value = new byte[random.Next(0, random.Next(2) == 0 ? 8 : 400)];
                for (int j = 0; j < value.Length; j++)
                {
                    value[j] = (byte)(random.Next(4) == 0 ? random.Next(256) : 'a' + random.Next(3));
                }

                HeaderIndexing mode = modes[random.Next(modes.Length)];
                encoder.EncodeHeader(output, Encoding.ASCII.GetBytes(name), value, mode);
                expected.Add((name, Encoding.Latin1.GetString(value), mode == HeaderIndexing.NeverIndexed));
            }

            var sink = new RecordingSink();
            decoder.Decode(output.WrittenSpan, sink);
            Assert.Equal(expected, sink.Fields);
            Assert.Equal(TableAssert.Entries(encoder.Table), TableAssert.Entries(decoder.Table));
            Assert.Equal(encoder.DynamicTableSize, decoder.DynamicTableSize);
        }
    }
}
