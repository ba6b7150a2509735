using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

public class HuffmanTests
{
    [Theory]
    [InlineData("www.example.com", "f1e3c2e5f23a6ba0ab90f4ff")] // RFC 7541 C.4.1
    [InlineData("no-cache", "a8eb10649cbf")]                  // C.4.2
    [InlineData("custom-key", "25a849e95ba97d7f")]            // C.4.3
    [InlineData("custom-value", "25a849e95bb8e8b4bf")]        // C.4.3
    [InlineData("302", "6402")]                                // C.6.1
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff")] // C.6.1
    [InlineData("gzip", "9bd9ab")]                             // C.6.3
    [InlineData("", "")]
    public void Encodes_and_decodes_RFC_strings(string text, string hex)
    {
        byte[] raw = Encoding.ASCII.GetBytes(text);
        Assert.Equal(hex.Length / 2, Huffman.GetEncodedLength(raw));

        var encoded = new byte[Huffman.GetEncodedLength(raw)];
        Assert.Equal(encoded.Length, Huffman.Encode(raw, encoded));
        Assert.Equal(hex, Hex.Format(encoded));

        var decoded = new byte[raw.Length];
        Assert.Equal(raw.Length, Huffman.Decode(encoded, decoded));
        Assert.Equal(raw, decoded);
    }

    [Fact]
    public void Every_byte_value_round_trips_alone()
    {
        for (int value = 0; value < 256; value++)
        {
            byte[] raw = [(byte)value];
            var encoded = new byte[Huffman.GetEncodedLength(raw)];
            Huffman.Encode(raw, encoded);
            var decoded = new byte[1];
            Assert.Equal(1, Huffman.Decode(encoded, decoded));
            Assert.Equal((byte)value, decoded[0]);
        }
    }

    [Fact]
    public void All_byte_values_round_trip_in_one_string_both_orders()
    {
        byte[] ascending = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        byte[] descending = ascending.Reverse().ToArray();
        foreach (byte[] raw in new[] { ascending, descending })
        {
            var encoded = new byte[Huffman.GetEncodedLength(raw)];
            Assert.Equal(encoded.Length, Huffman.Encode(raw, encoded));
            var decoded = new byte[raw.Length];
            Assert.Equal(raw.Length, Huffman.Decode(encoded, decoded));
            Assert.Equal(raw, decoded);
        }
    }

    [Fact]
    public void Random_strings_round_trip()
    {
        var random = new Random(7541);
        for (int i = 0; i < 2000; i++)
        {
            var raw = new byte[random.Next(0, 64)];
            random.NextBytes(raw);
            var encoded = new byte[Huffman.GetEncodedLength(raw)];
            Huffman.Encode(raw, encoded);
            var decoded = new byte[raw.Length];
            Assert.Equal(raw.Length, Huffman.Decode(encoded, decoded));
            Assert.Equal(raw, decoded);
        }
    }

    [Fact]
    public void Seven_bits_of_padding_are_accepted()
    {
        // Symbol 199 has a 25-bit code, so its encoding ends with 7 padding bits.
        byte[] raw = [199];
        var encoded = new byte[Huffman.GetEncodedLength(raw)];
        Huffman.Encode(raw, encoded);
        Assert.Equal("fffff67f", Hex.Format(encoded)); // 1ffffec << 7 | 0x7f
        var decoded = new byte[1];
        Assert.Equal(1, Huffman.Decode(encoded, decoded));
        Assert.Equal(199, decoded[0]);
    }

    [Theory]
    [InlineData("ffffffff")]   // EOS (30 ones) and two padding bits
    [InlineData("1fffffffff")] // 'a' (00011), then EOS, then padding
    public void EOS_is_rejected(string hex)
    {
        var ex = Assert.Throws<HPackDecodingException>(() => Huffman.Decode(Hex.Parse(hex), new byte[16]));
        Assert.Contains("EOS", ex.Message);
    }

    [Theory]
    [InlineData("ff")]     // 8 bits of padding and no symbol
    [InlineData("1fff")]   // 'a' then 11 one-bits
    [InlineData("0fff")]   // '1' (00001) then 11 one-bits
    public void Padding_longer_than_seven_bits_is_rejected(string hex)
    {
        var ex = Assert.Throws<HPackDecodingException>(() => Huffman.Decode(Hex.Parse(hex), new byte[16]));
        Assert.Contains("padding", ex.Message);
    }

    [Theory]
    [InlineData("1e")] // 'a' (00011) then padding 110
    [InlineData("18")] // 'a' then padding 000
    [InlineData("1d")] // 'a' then padding 101
    public void Padding_with_a_zero_bit_is_rejected(string hex)
    {
        var ex = Assert.Throws<HPackDecodingException>(() => Huffman.Decode(Hex.Parse(hex), new byte[16]));
        Assert.Contains("padding", ex.Message);
    }

    [Fact]
    public void Valid_padding_after_a_symbol_is_accepted()
    {
        var decoded = new byte[4];
        Assert.Equal(1, Huffman.Decode([0x1f], decoded)); // 'a' then 111
        Assert.Equal((byte)'a', decoded[0]);
    }

    [Fact]
    public void Output_longer_than_the_destination_is_rejected()
    {
        byte[] encoded = Hex.Parse("f1e3c2e5f23a6ba0ab90f4ff"); // www.example.com, 15 octets
        Assert.Throws<HPackDecodingException>(() => Huffman.Decode(encoded, new byte[14]));
        Assert.Equal(15, Huffman.Decode(encoded, new byte[15]));
    }
}
