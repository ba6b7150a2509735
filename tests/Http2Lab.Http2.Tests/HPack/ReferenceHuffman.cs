using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>How a Huffman decoding ended.</summary>
internal enum HuffmanOutcome
{
    Decoded,
    Eos,
    BadPadding,
    TooLong,
}

/// <summary>
/// A deliberately naive Huffman coder, one bit at a time straight from the RFC 7541 Appendix B table, to check the
/// table-driven one against: it decodes in input order and stops at the first problem, as §5.2 describes.
/// </summary>
internal static class ReferenceHuffman
{
    private static readonly Dictionary<(int Length, uint Code), int> s_symbols = BuildSymbols();

    public static byte[] Encode(ReadOnlySpan<byte> text)
    {
        var bits = new List<bool>();
        foreach (byte b in text)
        {
            AppendCode(bits, b);
        }

        while (bits.Count % 8 != 0)
        {
            bits.Add(true);
        }

        return Pack(bits);
    }

    /// <summary>Appends the code of <paramref name="symbol"/> (0-256) to <paramref name="bits"/>, first bit first.</summary>
    public static void AppendCode(List<bool> bits, int symbol)
    {
        uint code = HuffmanTable.Codes[symbol];
        for (int i = HuffmanTable.Lengths[symbol] - 1; i >= 0; i--)
        {
            bits.Add(((code >> i) & 1) != 0);
        }
    }

    public static byte[] Pack(List<bool> bits)
    {
        var packed = new byte[(bits.Count + 7) / 8];
        for (int i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                packed[i / 8] |= (byte)(0x80 >> (i % 8));
            }
        }

        return packed;
    }

    /// <summary>Decodes into at most <paramref name="capacity"/> octets.</summary>
    public static (HuffmanOutcome Outcome, byte[] Decoded) Decode(ReadOnlySpan<byte> encoded, int capacity)
    {
        var decoded = new List<byte>();
        uint code = 0;
        int length = 0;
        for (int i = 0; i < encoded.Length * 8; i++)
        {
            code = (code << 1) | (uint)((encoded[i / 8] >> (7 - (i % 8))) & 1);
            length++;
            if (!s_symbols.TryGetValue((length, code), out int symbol))
            {
                continue;
            }

            if (symbol == HuffmanTable.Eos)
            {
                return (HuffmanOutcome.Eos, [.. decoded]);
            }

            if (decoded.Count == capacity)
            {
                return (HuffmanOutcome.TooLong, [.. decoded]);
            }

            decoded.Add((byte)symbol);
            code = 0;
            length = 0;
        }

        bool validPadding = length <= 7 && code == (1u << length) - 1;
        return (validPadding ? HuffmanOutcome.Decoded : HuffmanOutcome.BadPadding, [.. decoded]);
    }

    private static Dictionary<(int, uint), int> BuildSymbols()
    {
        var symbols = new Dictionary<(int, uint), int>();
        for (int symbol = 0; symbol <= HuffmanTable.Eos; symbol++)
        {
            symbols.Add((HuffmanTable.Lengths[symbol], HuffmanTable.Codes[symbol]), symbol);
        }

        return symbols;
    }
}
