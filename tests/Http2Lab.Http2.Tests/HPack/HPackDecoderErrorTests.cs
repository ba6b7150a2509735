using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>Malformed header blocks must fail with <see cref="HPackDecodingException"/> and nothing else.</summary>
public class HPackDecoderErrorTests
{
    private static HPackDecodingException DecodeFails(string hex, HPackDecoder? decoder = null)
    {
        decoder ??= new HPackDecoder();
        byte[] block = Hex.Parse(hex);
        return Assert.Throws<HPackDecodingException>(() => decoder.Decode(block, new RecordingSink()));
    }

    [Fact]
    public void Index_zero_is_rejected() => DecodeFails("80");

    [Theory]
    [InlineData("be")]         // indexed 62 with an empty dynamic table
    [InlineData("ff00")]       // indexed 127
    [InlineData("7e0161")]     // literal with indexing, name index 62
    [InlineData("0f300161")]   // literal without indexing, name index 63
    [InlineData("1f300161")]   // literal never indexed, name index 63
    public void Index_beyond_both_tables_is_rejected(string hex) => DecodeFails(hex);

    [Fact]
    public void Index_just_past_the_dynamic_table_is_rejected()
    {
        var decoder = new HPackDecoder();
        decoder.Decode(Hex.Parse("4001610162"), new RecordingSink()); // a: b, now index 62
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("be"), sink);
        Assert.Equal([("a", "b", false)], sink.Fields);
        DecodeFails("bf", decoder);
    }

    [Theory]
    [InlineData("ffffffffff0f")]     // indexed, index far beyond int range
    [InlineData("ff80808080808001")] // indexed, too many continuation octets
    [InlineData("7fffffffff0f")]     // literal name index overflow
    [InlineData("40ffffffffff0f")]   // string length overflow
    [InlineData("3fffffffff0f")]     // table size update overflow
    public void Integer_overflow_is_rejected(string hex) => DecodeFails(hex);

    [Theory]
    [InlineData("ff")]         // indexed, continuation expected
    [InlineData("ff80")]       // indexed, continuation octet says more follows
    [InlineData("3f")]         // size update, continuation expected
    [InlineData("7f")]         // literal name index, continuation expected
    [InlineData("407f")]       // literal name length, continuation expected
    public void Truncated_integer_is_rejected(string hex) => DecodeFails(hex);

    [Theory]
    [InlineData("40")]                 // literal with new name, name missing
    [InlineData("400a6375")]           // name declares 10 octets, 2 present
    [InlineData("4001610a6375")]       // value declares 10 octets, 2 present
    [InlineData("04")]                 // indexed name, value missing
    [InlineData("048cf1e3c2e5")]       // Huffman value declares 12 octets, 4 present
    [InlineData("0086")]               // Huffman name declares 6 octets, none present
    public void Truncated_string_is_rejected(string hex) => DecodeFails(hex);

    [Fact]
    public void Raw_string_over_the_limit_is_rejected()
    {
        var decoder = new HPackDecoder(maxStringLength: 9);
        var ex = DecodeFails("400a 6375 7374 6f6d 2d6b 6579 0161", decoder); // name "custom-key" is 10 octets
        Assert.Contains("maximum length", ex.Message);

        var accepted = new HPackDecoder(maxStringLength: 10);
        accepted.Decode(Hex.Parse("400a 6375 7374 6f6d 2d6b 6579 0161"), new RecordingSink());
        Assert.Equal(1, accepted.DynamicTableCount);
    }

    [Fact]
    public void Huffman_string_decoding_over_the_limit_is_rejected()
    {
        // custom-key: custom-value, both Huffman-encoded (C.4.3); the value decodes to 12 octets.
        const string Block = "4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf";
        DecodeFails(Block, new HPackDecoder(maxStringLength: 11));

        var sink = new RecordingSink();
        new HPackDecoder(maxStringLength: 12).Decode(Hex.Parse(Block), sink);
        Assert.Equal([("custom-key", "custom-value", false)], sink.Fields);
    }

    [Theory]
    [InlineData("00 7f e1 7f")]   // raw name of 16 480 octets declared, none present
    [InlineData("00 ff ff ff 03")] // Huffman name of 65 662 octets: decodes to at least 17 510 > 16 384
    public void Declared_length_over_the_limit_is_rejected_before_reading_the_data(string hex)
    {
        var ex = DecodeFails(hex);
        Assert.Contains("maximum length", ex.Message);
    }

    [Fact]
    public void Size_update_above_the_maximum_is_rejected()
    {
        var decoder = new HPackDecoder(maxDynamicTableSize: 4096);
        decoder.Decode(Hex.Parse("3fe11f"), new RecordingSink()); // 4096 is fine
        Assert.Equal(4096, decoder.Table.MaxSize);
        DecodeFails("3fe21f", decoder);                              // 4097 is not
    }

    [Fact]
    public void Size_update_after_a_field_is_rejected()
    {
        DecodeFails("8220");
        DecodeFails("20 82 20");
    }

    [Fact]
    public void Size_updates_before_the_first_field_are_accepted()
    {
        var decoder = new HPackDecoder();
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("4001610162"), sink);
        Assert.Equal(1, decoder.DynamicTableCount);

        decoder.Decode(Hex.Parse("20 3fe11f 82"), sink); // 0 empties the table, then back to 4096
        Assert.Equal(0, decoder.DynamicTableCount);
        Assert.Equal(4096, decoder.Table.MaxSize);
        Assert.Equal([("a", "b", false), (":method", "GET", false)], sink.Fields);
    }

    [Fact]
    public void Lowered_setting_requires_a_size_update_at_the_start_of_the_next_block()
    {
        var decoder = new HPackDecoder();
        decoder.MaxDynamicTableSize = 100;
        DecodeFails("82", decoder);

        decoder = new HPackDecoder();
        decoder.MaxDynamicTableSize = 100;
        DecodeFails("3f46 82", decoder); // 101 is above the new setting

        decoder = new HPackDecoder();
        decoder.MaxDynamicTableSize = 100;
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("3f45 82"), sink); // 100
        decoder.Decode(Hex.Parse("82"), sink);      // no longer required
        Assert.Equal(100, decoder.Table.MaxSize);
        Assert.Equal(2, sink.Fields.Count);
    }

    [Fact]
    public void Raised_setting_requires_no_size_update()
    {
        var decoder = new HPackDecoder();
        decoder.MaxDynamicTableSize = 8192;
        var sink = new RecordingSink();
        decoder.Decode(Hex.Parse("82"), sink);
        Assert.Single(sink.Fields);
        Assert.Equal(4096, decoder.Table.MaxSize);
    }

    [Fact]
    public void Invalid_Huffman_in_a_literal_is_rejected()
    {
        DecodeFails("0481ff");      // value: 8 bits of padding
        DecodeFails("04851fffffffff"); // value: 'a' then EOS
        DecodeFails("04811e");      // value: 'a' then padding with a zero bit
    }

    [Fact]
    public void Random_input_only_ever_raises_HPackDecodingException()
    {
        var random = new Random(9113);
        int failures = 0;
        for (int i = 0; i < 50_000; i++)
        {
            var block = new byte[random.Next(0, 48)];
            random.NextBytes(block);
            var decoder = new HPackDecoder(maxDynamicTableSize: 256, maxStringLength: 64);
            try
            {
                decoder.Decode(block, new RecordingSink());
            }
            catch (HPackDecodingException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 1, 50_000); // any other exception type fails the test
    }
}
