using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

public class PrefixIntegerTests
{
    [Theory]
    [InlineData(10, 5, "0a")]     // RFC 7541 C.1.1
    [InlineData(1337, 5, "1f9a0a")] // C.1.2
    [InlineData(42, 8, "2a")]     // C.1.3
    [InlineData(31, 5, "1f00")]   // exactly 2^N - 1 needs a zero continuation octet
    [InlineData(30, 5, "1e")]
    [InlineData(int.MaxValue, 1, "01feffffff07")]
    public void Encodes_and_decodes_RFC_examples(int value, int prefixBits, string hex)
    {
        Span<byte> buffer = stackalloc byte[PrefixInteger.MaxEncodedLength];
        int written = PrefixInteger.Encode(value, prefixBits, 0, buffer);
        Assert.Equal(hex, Hex.Format(buffer[..written]));

        byte[] encoded = Hex.Parse(hex);
        int position = 0;
        Assert.Equal(value, PrefixInteger.Decode(encoded, ref position, prefixBits));
        Assert.Equal(encoded.Length, position);
    }

    [Fact]
    public void Flags_occupy_the_bits_above_the_prefix_and_are_ignored_when_decoding()
    {
        Span<byte> buffer = stackalloc byte[PrefixInteger.MaxEncodedLength];
        int written = PrefixInteger.Encode(1337, 5, 0xE0, buffer);
        Assert.Equal("ff9a0a", Hex.Format(buffer[..written]));

        int position = 0;
        Assert.Equal(10, PrefixInteger.Decode([0xEA], ref position, 5));
        position = 0;
        Assert.Equal(1337, PrefixInteger.Decode(buffer[..written], ref position, 5));
    }

    [Fact]
    public void Decoding_starts_at_the_given_position()
    {
        byte[] data = [0x00, 0x1f, 0x9a, 0x0a, 0x55];
        int position = 1;
        Assert.Equal(1337, PrefixInteger.Decode(data, ref position, 5));
        Assert.Equal(4, position);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1f")]
    [InlineData("1f9a")]
    [InlineData("1fff8080")]
    public void Truncated_integers_are_rejected(string hex)
    {
        byte[] data = Hex.Parse(hex);
        Assert.Throws<HPackDecodingException>(() =>
        {
            int position = 0;
            PrefixInteger.Decode(data, ref position, 5);
        });
    }

    [Theory]
    [InlineData("1fe1ffffff07")]     // 31 + 2^31 - 31 = 2^31: one past int.MaxValue
    [InlineData("1fffffffff0f")]     // far beyond int range in five continuation octets
    [InlineData("1f808080808000")]   // six continuation octets, even though the value is small
    public void Overflowing_integers_are_rejected(string hex)
    {
        byte[] data = Hex.Parse(hex);
        Assert.Throws<HPackDecodingException>(() =>
        {
            int position = 0;
            PrefixInteger.Decode(data, ref position, 5);
        });
    }

    [Fact]
    public void Largest_int_decodes_with_five_continuation_octets()
    {
        // 31 + (2^31 - 1 - 31): low groups 0x60 0x7f 0x7f 0x7f, top group 7.
        byte[] data = Hex.Parse("1fe0ffffff07");
        int position = 0;
        Assert.Equal(int.MaxValue, PrefixInteger.Decode(data, ref position, 5));
    }
}
