using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Random HPACK blocks (RFC 7541): plain random octets, or random sequences of well-shaped representations with
/// wrong details — indexes beyond the tables, size updates in the wrong place or too large, over-long integers,
/// string lengths that overrun the block, invalid Huffman padding, uppercase or empty names.
/// </summary>
internal static class HPackNoise
{
    public static byte[] Block(Random random)
    {
        if (random.Next(3) == 0)
        {
            byte[] octets = new byte[random.Next(0, 64)];
            random.NextBytes(octets);
            return octets;
        }

        var block = new List<byte>();
        int count = random.Next(1, 8);
        for (int i = 0; i < count; i++)
        {
            switch (random.Next(10))
            {
                case 9: HuffmanLiteral(block, random); break;
                case 0: Integer(block, random.Next(0, 120), 7, 0x80); break; // indexed, maybe 0 or beyond the tables
                case 1: Integer(block, random.Next(0, 5000), 5, 0x20); break; // size update, maybe too large or after a field
                case 2: block.AddRange([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]); break; // integer overflow
                case 3: Literal(block, random, 0x40, 6, random.Next(0, 70)); break;
                case 4: Literal(block, random, 0x00, 4, 0); break;
                case 5: Literal(block, random, 0x10, 4, random.Next(1, 62)); break;
                case 6: block.AddRange([0x40, 0x81, 0xFF]); break; // a Huffman name that is 8 bits of padding (§5.2), then no value
                case 7: block.AddRange([0x00, 0x03, (byte)'A', (byte)'b', (byte)'C', 0x00]); break; // uppercase name, empty value
                default:
                    Integer(block, random.Next(0, 62), 6, 0x40); // a literal whose string length overruns the block
                    Integer(block, random.Next(50, 1 << 20), 7, random.Next(2) == 0 ? 0x80 : 0x00);
                    break;
            }
        }

        return [.. block];
    }

    /// <summary>
    /// A literal (without indexing, name x-h) whose value is a Huffman string of any octets, long codes and long
    /// strings included, sometimes with one bit flipped, its end cut or EOS appended.
    /// </summary>
    private static void HuffmanLiteral(List<byte> block, Random random)
    {
        byte[] text = new byte[random.Next(4) == 0 ? random.Next(200, 3000) : random.Next(0, 40)];
        random.NextBytes(text);
        List<byte> code = [.. Tests.HPack.ReferenceHuffman.Encode(text)];
        switch (random.Next(5))
        {
            case 0 when code.Count > 0: code[random.Next(code.Count)] ^= (byte)(1 << random.Next(8)); break;
            case 1 when code.Count > 0: code.RemoveAt(code.Count - 1); break;
            case 2: code.AddRange([0xFF, 0xFF, 0xFF, 0xFC]); break; // EOS (30 bits of ones) and more padding
        }

        block.AddRange([0x00, 0x03, (byte)'x', (byte)'-', (byte)'h']);
        Integer(block, code.Count, 7, 0x80);
        block.AddRange(code);
    }

    private static void Literal(List<byte> block, Random random, byte pattern, int prefix, int nameIndex)
    {
        Integer(block, nameIndex, prefix, pattern);
        if (nameIndex == 0)
        {
            String(block, random);
        }

        String(block, random);
    }

    private static void String(List<byte> block, Random random)
    {
        int length = random.Next(0, 20);
        bool huffman = random.Next(2) == 0;
        Integer(block, length, 7, huffman ? 0x80 : 0x00);
        for (int i = 0; i < length; i++)
        {
            block.Add((byte)(random.Next(3) == 0 ? random.Next(256) : random.Next('a', 'z' + 1)));
        }
    }

    private static void Integer(List<byte> block, int value, int prefix, int pattern)
    {
        Span<byte> octets = stackalloc byte[PrefixInteger.MaxEncodedLength];
        int written = PrefixInteger.Encode(value, prefix, (byte)pattern, octets);
        block.AddRange(octets[..written]);
    }
}
