using System.Diagnostics;

namespace Http2Lab.Http2.HPack;

/// <summary>
/// Huffman coding of string literals (RFC 7541 §5.2, Appendix B). Encoding packs codes through a 64-bit
/// accumulator; decoding is a table-driven state machine that consumes four bits per step.
/// </summary>
internal static class Huffman
{
    // Each of the 256 internal nodes of the code tree is a decoder state (0 = root). Entry
    // s_transitions[state * 16 + nibble] = next state | symbol << 8 | flags. Codes are at least 5 bits long,
    // so one nibble completes at most one symbol.
    private const uint EmitFlag = 1u << 16;
    private const uint FailFlag = 1u << 17;
    private const int StateCount = 256;

    private static readonly uint[] s_transitions = new uint[StateCount * 16];

    // True for states where the string may end: the root, or a path of at most 7 one-bits, i.e. valid
    // padding made of the most significant bits of EOS (§5.2).
    private static readonly bool[] s_accepting = new bool[StateCount];

    static Huffman()
    {
        // children[node * 2 + bit]: > 0 internal node id, < 0 leaf (~symbol), 0 unset (the root is never a child).
        var children = new int[StateCount * 2];
        var onesDepth = new int[StateCount]; // length of the all-ones path to the node, or -1
        int nodeCount = 1;
        for (int symbol = 0; symbol <= HuffmanTable.Eos; symbol++)
        {
            uint code = HuffmanTable.Codes[symbol];
            int length = HuffmanTable.Lengths[symbol];
            int node = 0;
            for (int bitIndex = length - 1; bitIndex > 0; bitIndex--)
            {
                int bit = (int)(code >> bitIndex) & 1;
                int slot = (node * 2) + bit;
                if (children[slot] == 0)
                {
                    children[slot] = nodeCount;
                    onesDepth[nodeCount] = bit == 1 && onesDepth[node] >= 0 ? onesDepth[node] + 1 : -1;
                    nodeCount++;
                }

                node = children[slot];
            }

            children[(node * 2) + (int)(code & 1)] = ~symbol;
        }

        Debug.Assert(nodeCount == StateCount, "a complete code over 257 symbols has 256 internal nodes");

        for (int state = 0; state < StateCount; state++)
        {
            s_accepting[state] = onesDepth[state] is >= 0 and <= 7;
            for (int nibble = 0; nibble < 16; nibble++)
            {
                s_transitions[(state * 16) + nibble] = BuildTransition(children, state, nibble);
            }
        }
    }

    /// <summary>Number of octets <paramref name="source"/> takes once Huffman-encoded, padding included.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        byte[] lengths = HuffmanTable.Lengths;
        long bits = 0;
        foreach (byte b in source)
        {
            bits += lengths[b];
        }

        return checked((int)((bits + 7) >> 3));
    }

    /// <summary>
    /// Huffman-encodes <paramref name="source"/> into <paramref name="destination"/>, which must hold at least
    /// <see cref="GetEncodedLength"/> octets; the last octet is padded with the high bits of EOS (ones).
    /// </summary>
    /// <returns>The number of octets written.</returns>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        uint[] codes = HuffmanTable.Codes;
        byte[] lengths = HuffmanTable.Lengths;
        ulong accumulator = 0; // only the low `bits` bits are pending; older bits are shifted out harmlessly
        int bits = 0;
        int written = 0;
        foreach (byte b in source)
        {
            int length = lengths[b];
            accumulator = (accumulator << length) | codes[b];
            bits += length;
            while (bits >= 8)
            {
                bits -= 8;
                destination[written++] = (byte)(accumulator >> bits);
            }
        }

        if (bits > 0)
        {
            destination[written++] = (byte)((accumulator << (8 - bits)) | (0xFFu >> bits));
        }

        return written;
    }

    /// <summary>
    /// Decodes a Huffman-encoded string literal into <paramref name="destination"/>.
    /// </summary>
    /// <returns>The number of octets written.</returns>
    /// <exception cref="HPackDecodingException">
    /// The data contains EOS, its padding is longer than 7 bits or not all ones (§5.2), or the decoded string does
    /// not fit in <paramref name="destination"/>.
    /// </exception>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        uint[] transitions = s_transitions;
        int state = 0;
        int written = 0;
        foreach (byte b in source)
        {
            uint entry = transitions[(state << 4) | (b >> 4)];
            if ((entry & (EmitFlag | FailFlag)) != 0)
            {
                Emit(entry, destination, ref written);
            }

            entry = transitions[((int)(entry & 0xFF) << 4) | (b & 0xF)];
            if ((entry & (EmitFlag | FailFlag)) != 0)
            {
                Emit(entry, destination, ref written);
            }

            state = (int)(entry & 0xFF);
        }

        if (!s_accepting[state])
        {
            throw new HPackDecodingException(
                "Invalid Huffman padding: longer than 7 bits or not a prefix of EOS (RFC 7541 §5.2).");
        }

        return written;
    }

    private static void Emit(uint entry, Span<byte> destination, ref int written)
    {
        if ((entry & FailFlag) != 0)
        {
            throw new HPackDecodingException("Huffman-encoded string contains the EOS symbol (RFC 7541 §5.2).");
        }

        if ((uint)written >= (uint)destination.Length)
        {
            throw new HPackDecodingException("Huffman-decoded string literal exceeds the maximum length.");
        }

        destination[written++] = (byte)(entry >> 8);
    }

    private static uint BuildTransition(int[] children, int state, int nibble)
    {
        int node = state;
        uint flags = 0;
        uint symbol = 0;
        for (int bitIndex = 3; bitIndex >= 0; bitIndex--)
        {
            int child = children[(node * 2) + ((nibble >> bitIndex) & 1)];
            if (child > 0)
            {
                node = child;
                continue;
            }

            Debug.Assert(child < 0, "the code is complete, every branch is set");
            if (~child == HuffmanTable.Eos)
            {
                return FailFlag;
            }

            symbol = (uint)~child;
            flags = EmitFlag;
            node = 0;
        }

        return (uint)node | (symbol << 8) | flags;
    }
}
