using System.Buffers;
using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>
/// The table-driven Huffman coder against <see cref="ReferenceHuffman"/>: round trips at every length, over alphabets
/// with short, mixed and long codes (inputs of <see cref="Huffman.TwoChainMinimumLength"/> octets and more go through
/// the two-chain decoder), and invalid or truncated data, which must fail the same way, with the same kind of error.
/// </summary>
public class HuffmanDecodingTests
{
    private static readonly byte[] AllOctets = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
    private static readonly byte[] HeaderText =
        Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,;:=/?&%*+() \"'");
    private static readonly byte[] FiveBitCodes = Encoding.ASCII.GetBytes("012aceiost");
    private static readonly byte[] HighOctets = [.. Enumerable.Range(128, 128).Select(i => (byte)i)];

    // Symbols whose codes are 27 bits or longer and mostly ones: runs of them look like EOS from some offsets.
    private static readonly byte[] LongestCodes =
        [.. Enumerable.Range(0, 256).Where(i => HuffmanTable.Lengths[i] >= 27).Select(i => (byte)i)];

    private static readonly string[] AlphabetNames = ["all", "header", "five-bit", "high", "longest", "mostly-header"];

    public static TheoryData<string> Alphabets => new(AlphabetNames);

    [Theory]
    [MemberData(nameof(Alphabets))]
    public void Strings_of_every_length_up_to_300_round_trip(string alphabet)
    {
        var random = new Random(alphabet.GetHashCode(StringComparison.Ordinal) ^ 7541);
        for (int length = 0; length <= 300; length++)
        {
            for (int repeat = 0; repeat < 3; repeat++)
            {
                byte[] raw = RandomText(random, alphabet, length);
                byte[] encoded = EncodeChecked(raw);
                AssertDecodes(encoded, raw, raw.Length);
                AssertDecodes(encoded, raw, (int)(8L * encoded.Length / 5)); // HPackDecoder's capacity
            }
        }
    }

    [Fact]
    public void Strings_ending_exactly_on_an_octet_boundary_have_no_padding_and_round_trip()
    {
        var random = new Random(8);
        int found = 0;
        for (int attempt = 0; attempt < 4000; attempt++)
        {
            byte[] raw = RandomText(random, attempt % 2 == 0 ? "header" : "all", random.Next(1, 200));
            long bits = raw.Sum(b => (long)HuffmanTable.Lengths[b]);
            if (bits % 8 != 0)
            {
                continue;
            }

            found++;
            byte[] encoded = EncodeChecked(raw);
            Assert.Equal(bits / 8, encoded.Length);
            AssertDecodes(encoded, raw, raw.Length);
        }

        Assert.True(found > 100, $"only {found} strings ended on an octet boundary");
    }

    [Fact]
    public void Every_two_symbol_string_round_trips()
    {
        var raw = new byte[2];
        var encoded = new byte[8];
        var decoded = new byte[2];
        for (int first = 0; first < 256; first++)
        {
            for (int second = 0; second < 256; second++)
            {
                raw[0] = (byte)first;
                raw[1] = (byte)second;
                int length = Huffman.Encode(raw, encoded);
                Assert.Equal(2, Huffman.Decode(encoded.AsSpan(0, length), decoded));
                Assert.True(decoded[0] == first && decoded[1] == second, $"{first} {second}");
            }
        }
    }

    [Fact]
    public void Every_symbol_between_others_round_trips_at_every_bit_offset()
    {
        // A prefix of 0-7 five-bit symbols moves the symbol under test across every bit offset of an octet, and the
        // filler after it across the fast loops, their ends and the single-octet tail.
        var random = new Random(5);
        for (int symbol = 0; symbol < 256; symbol++)
        {
            for (int prefix = 0; prefix < 8; prefix++)
            {
                byte[] raw =
                [
                    .. Enumerable.Repeat((byte)'a', prefix), (byte)symbol, .. RandomText(random, "header", random.Next(0, 70)),
                ];
                AssertDecodes(EncodeChecked(raw), raw, raw.Length);
            }
        }
    }

    [Fact]
    public void Runs_of_one_symbol_round_trip()
    {
        // The two-chain decoder guesses that a code starts at an octet boundary; for a run of one 5-bit symbol its
        // guess can stay out of step for good, and it must then fall back to one chain.
        foreach (byte symbol in new byte[] { (byte)'0', (byte)'a', (byte)'e', (byte)'/', 0x16, 0xFF })
        {
            for (int length = 40; length <= 400; length += 7)
            {
                byte[] raw = [.. Enumerable.Repeat(symbol, length)];
                AssertDecodes(EncodeChecked(raw), raw, raw.Length);
            }
        }
    }

    [Fact]
    public void Patterns_that_never_meet_again_round_trip()
    {
        // Two-symbol periodic text: every split offset, with long and short codes.
        string[] patterns = ["ab", "0e", "a\u00e9", "01", "\u0080\u0081", "xyz"];
        foreach (string pattern in patterns)
        {
            byte[] unit = Encoding.Latin1.GetBytes(pattern);
            for (int repeat = 20; repeat < 160; repeat++)
            {
                byte[] raw = [.. Enumerable.Range(0, repeat).SelectMany(_ => unit)];
                AssertDecodes(EncodeChecked(raw), raw, raw.Length);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Alphabets))]
    public void Output_one_octet_too_small_fails_at_every_length(string alphabet)
    {
        var random = new Random(alphabet.Length * 31);
        for (int length = 1; length <= 260; length++)
        {
            byte[] raw = RandomText(random, alphabet, length);
            byte[] encoded = EncodeChecked(raw);
            AssertSameAsReference(encoded, raw.Length - 1);
            Assert.Equal(HuffmanOutcome.TooLong, Outcome(encoded, raw.Length - 1));
        }
    }

    [Fact]
    public void Output_of_every_smaller_size_fails_for_a_long_string()
    {
        var random = new Random(16);
        foreach (string alphabet in new[] { "header", "high", "all" })
        {
            byte[] raw = RandomText(random, alphabet, 220);
            byte[] encoded = EncodeChecked(raw);
            for (int capacity = 0; capacity < raw.Length; capacity++)
            {
                Assert.Equal(HuffmanOutcome.TooLong, Outcome(encoded, capacity));
            }

            AssertDecodes(encoded, raw, raw.Length);
        }
    }

    [Fact]
    public void EOS_after_any_prefix_is_rejected()
    {
        var random = new Random(256);
        foreach (string alphabet in new[] { "header", "all", "longest" })
        {
            for (int length = 0; length <= 150; length++)
            {
                byte[] prefix = RandomText(random, alphabet, length);
                var bits = new List<bool>();
                foreach (byte b in prefix)
                {
                    ReferenceHuffman.AppendCode(bits, b);
                }

                ReferenceHuffman.AppendCode(bits, HuffmanTable.Eos);
                byte[] suffix = RandomText(random, "header", random.Next(0, 20)); // data after EOS changes nothing
                foreach (byte b in suffix)
                {
                    ReferenceHuffman.AppendCode(bits, b);
                }

                while (bits.Count % 8 != 0)
                {
                    bits.Add(true);
                }

                byte[] encoded = ReferenceHuffman.Pack(bits);
                Assert.Equal(HuffmanOutcome.Eos, Outcome(encoded, length + suffix.Length + 10));
                AssertSameAsReference(encoded, length + suffix.Length + 10);
            }
        }
    }

    [Fact]
    public void Truncated_data_fails_like_the_reference()
    {
        var random = new Random(9);
        for (int i = 0; i < 1500; i++)
        {
            byte[] raw = RandomText(random, AlphabetNames[i % AlphabetNames.Length], random.Next(1, 160));
            byte[] encoded = EncodeChecked(raw);
            for (int cut = 1; cut <= Math.Min(6, encoded.Length); cut++)
            {
                AssertSameAsReference(encoded[..^cut], raw.Length);
            }
        }
    }

    [Fact]
    public void Padding_of_every_length_and_content_is_checked()
    {
        var random = new Random(17);
        for (int i = 0; i < 2000; i++)
        {
            byte[] raw = RandomText(random, i % 2 == 0 ? "header" : "all", random.Next(0, 120));
            var bits = new List<bool>();
            foreach (byte b in raw)
            {
                ReferenceHuffman.AppendCode(bits, b);
            }

            // Any padding from 0 to 15 bits, of any content: only 0-7 one-bits are valid.
            int padding = (8 - (bits.Count % 8)) % 8 + (8 * random.Next(0, 2));
            for (int p = 0; p < padding; p++)
            {
                bits.Add(random.Next(4) != 0);
            }

            AssertSameAsReference(ReferenceHuffman.Pack(bits), raw.Length + 4);
        }
    }

    [Fact]
    public void Mutated_data_fails_or_decodes_like_the_reference()
    {
        var random = new Random(1234);
        for (int i = 0; i < 6000; i++)
        {
            byte[] raw = RandomText(random, AlphabetNames[i % AlphabetNames.Length], random.Next(0, 400));
            byte[] encoded = EncodeChecked(raw);
            byte[] mutated = Mutate(random, encoded);
            int capacity = (i % 4) switch
            {
                0 => raw.Length,
                1 => Math.Max(0, raw.Length - random.Next(1, 4)),
                2 => random.Next(0, raw.Length + 20),
                _ => (int)(8L * mutated.Length / 5),
            };

            AssertSameAsReference(mutated, capacity);
        }
    }

    [Fact]
    public void Random_octets_fail_or_decode_like_the_reference()
    {
        var random = new Random(42);
        for (int i = 0; i < 4000; i++)
        {
            var data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            if (i % 2 == 0)
            {
                // Mostly ones, as long codes and EOS are.
                for (int j = 0; j < data.Length; j++)
                {
                    data[j] |= (byte)random.Next(256);
                }
            }

            AssertSameAsReference(data, (int)(8L * data.Length / 5));
        }
    }

    [Fact]
    public void Decoder_accepts_a_long_Huffman_literal_at_the_limit_and_rejects_it_above()
    {
        var random = new Random(3);
        byte[] value = RandomText(random, "header", 300);
        var output = new ArrayBufferWriter<byte>();
        new HPackEncoder { Huffman = HuffmanPolicy.Always }.EncodeHeader(
            output, "x-long"u8, value, HeaderIndexing.WithoutIndexing);
        byte[] block = output.WrittenSpan.ToArray();

        var sink = new RecordingSink();
        new HPackDecoder(maxStringLength: 300).Decode(block, sink);
        Assert.Equal([("x-long", Encoding.Latin1.GetString(value), false)], sink.Fields);

        var ex = Assert.Throws<HPackDecodingException>(
            () => new HPackDecoder(maxStringLength: 299).Decode(block, new RecordingSink()));
        Assert.Contains("maximum length", ex.Message);
    }

    [Fact]
    public void Decoding_long_Huffman_literals_allocates_nothing_once_warm()
    {
        var random = new Random(4);
        var output = new ArrayBufferWriter<byte>();
        var encoder = new HPackEncoder { Huffman = HuffmanPolicy.Always };
        foreach (int length in new[] { 60, 150, 400, 1200 })
        {
            encoder.EncodeHeader(output, "x-a"u8, RandomText(random, "header", length), HeaderIndexing.WithoutIndexing);
            encoder.EncodeHeader(output, "x-b"u8, RandomText(random, "all", length), HeaderIndexing.WithoutIndexing);
        }

        byte[] block = output.WrittenSpan.ToArray();
        var decoder = new HPackDecoder();
        var sink = new RecordingSink();
        for (int i = 0; i < 50; i++)
        {
            decoder.Decode(block, sink);
            sink.Fields.Clear();
        }

        // Up to three measured passes: a garbage collection caused by tests running beside this one may trim the shared
        // array pool between passes, and the next rent then allocates once (3 KiB, seen once). A decoder that allocates
        // per literal allocates in every pass.
        var counting = new CountingSink();
        var allocated = new List<long>();
        for (int pass = 0; pass < 3 && (pass == 0 || allocated[^1] != 0); pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                decoder.Decode(block, counting);
            }

            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated[^1] == 0, $"allocated per pass of 500 decodes: {string.Join(", ", allocated)} octets");
        Assert.True(counting.Octets > 0);
    }

    [Fact]
    public void Encoding_matches_the_reference_at_every_length()
    {
        var random = new Random(11);
        foreach (string alphabet in new[] { "all", "header", "high" })
        {
            for (int length = 0; length <= 300; length++)
            {
                byte[] raw = RandomText(random, alphabet, length);
                var encoded = new byte[Huffman.GetEncodedLength(raw)];
                Assert.Equal(encoded.Length, Huffman.Encode(raw, encoded));
                Assert.Equal(ReferenceHuffman.Encode(raw), encoded);
            }
        }
    }

    private static byte[] RandomText(Random random, string alphabet, int length)
    {
        var text = new byte[length];
        for (int i = 0; i < length; i++)
        {
            byte[] source = alphabet switch
            {
                "all" => AllOctets,
                "header" => HeaderText,
                "five-bit" => FiveBitCodes,
                "high" => HighOctets,
                "longest" => LongestCodes,
                _ => random.Next(20) == 0 ? AllOctets : HeaderText, // "mostly-header"
            };
            text[i] = source[random.Next(source.Length)];
        }

        return text;
    }

    private static byte[] EncodeChecked(byte[] raw)
    {
        var encoded = new byte[Huffman.GetEncodedLength(raw)];
        Assert.Equal(encoded.Length, Huffman.Encode(raw, encoded));
        return encoded;
    }

    private static byte[] Mutate(Random random, byte[] encoded)
    {
        byte[] mutated = [.. encoded];
        switch (random.Next(5))
        {
            case 0 when mutated.Length > 0:
                mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when mutated.Length > 0:
                mutated[random.Next(mutated.Length)] = 0xFF;
                break;
            case 2:
                mutated = [.. mutated, .. Enumerable.Repeat((byte)0xFF, random.Next(1, 6))];
                break;
            case 3 when mutated.Length > 4:
                // Four octets of ones somewhere: EOS, or a long code, or padding-like runs.
                int at = random.Next(mutated.Length - 4);
                mutated.AsSpan(at, 4).Fill(0xFF);
                break;
            default:
                if (mutated.Length > 0)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                break;
        }

        return mutated;
    }

    private static void AssertDecodes(byte[] encoded, byte[] expected, int capacity)
    {
        var destination = new byte[capacity];
        int written = Huffman.Decode(encoded, destination);
        Assert.Equal(expected.Length, written);
        Assert.True(expected.AsSpan().SequenceEqual(destination.AsSpan(0, written)), "decoded text differs");
    }

    private static HuffmanOutcome Outcome(byte[] encoded, int capacity)
    {
        try
        {
            Huffman.Decode(encoded, new byte[capacity]);
            return HuffmanOutcome.Decoded;
        }
        catch (HPackDecodingException ex)
        {
            return Classify(ex.Message);
        }
    }

    private static void AssertSameAsReference(byte[] encoded, int capacity)
    {
        (HuffmanOutcome expected, byte[] expectedText) = ReferenceHuffman.Decode(encoded, capacity);
        var destination = new byte[capacity];
        HuffmanOutcome actual;
        int written = 0;
        try
        {
            written = Huffman.Decode(encoded, destination);
            actual = HuffmanOutcome.Decoded;
        }
        catch (HPackDecodingException ex)
        {
            actual = Classify(ex.Message);
        }

        Assert.True(expected == actual, $"expected {expected}, got {actual} for {Hex.Format(encoded)} into {capacity}");
        if (actual == HuffmanOutcome.Decoded)
        {
            Assert.True(expectedText.AsSpan().SequenceEqual(destination.AsSpan(0, written)), "decoded text differs");
        }
    }

    // The padding message mentions EOS too, so it is recognised first.
    private static HuffmanOutcome Classify(string message) =>
        message.Contains("padding", StringComparison.Ordinal) ? HuffmanOutcome.BadPadding
        : message.Contains("EOS", StringComparison.Ordinal) ? HuffmanOutcome.Eos
        : message.Contains("maximum length", StringComparison.Ordinal) ? HuffmanOutcome.TooLong
        : throw new InvalidOperationException($"unexpected message: {message}");

    private sealed class CountingSink : IHeaderFieldSink
    {
        public long Octets;

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Octets += name.Length + value.Length;
    }
}
