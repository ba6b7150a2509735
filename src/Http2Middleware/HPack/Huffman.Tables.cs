using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Http2Lab.Http2.HPack;

// Long-code decoding, bit loads and stores, and the tables built once at start-up (RFC 7541 Appendix B).
internal static partial class Huffman
{
    /// <summary>
    /// Decodes the code at the top of <paramref name="window"/> known to be longer than <see cref="PrimaryBits"/>.
    /// </summary>
    /// <returns>The symbol in the low 16 bits, the code's length above them.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DecodeLongCode(ulong window) => DecodeCanonical((uint)(window >> 32), PrimaryBits + 1);

    // Decodes the code at the top of a 32-bit left-aligned window, trying lengths from `shortest` up.
    private static int DecodeCanonical(uint window, int shortest)
    {
        ulong[] limits = s_limits;
        int length = shortest;
        while (window >= limits[length])
        {
            length++;
        }

        int symbol = s_sortedSymbols[(int)(window >> (32 - length)) + s_symbolOffsets[length]];
        return symbol | (length << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LoadBigEndian(ref byte source)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    // The `count` (1 to 7) octets at `source`, left-aligned, the rest zeros: two overlapping reads of 4 or 2 octets,
    // or one octet.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LoadFinalOctets(ref byte source, int count)
    {
        int lowShift = 64 - (8 * count); // where the last octet goes
        if (count >= 4)
        {
            return ((ulong)LoadBigEndian32(ref source) << 32)
                | ((ulong)LoadBigEndian32(ref Unsafe.Add(ref source, count - 4)) << lowShift);
        }

        if (count >= 2)
        {
            return ((ulong)LoadBigEndian16(ref source) << 48)
                | ((ulong)LoadBigEndian16(ref Unsafe.Add(ref source, count - 2)) << lowShift);
        }

        return (ulong)source << 56;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LoadBigEndian32(ref byte source)
    {
        uint value = Unsafe.ReadUnaligned<uint>(ref source);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort LoadBigEndian16(ref byte source)
    {
        ushort value = Unsafe.ReadUnaligned<ushort>(ref source);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    // Stores both symbol slots of a primary entry; the second is garbage when the entry has one symbol, and the
    // next store overwrites it or the caller's length leaves it out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSymbols(ref byte destination, uint entry)
    {
        ushort symbols = (ushort)(entry >> FirstSymbolShift);
        Unsafe.WriteUnaligned(
            ref destination, BitConverter.IsLittleEndian ? symbols : BinaryPrimitives.ReverseEndianness(symbols));
    }

    private static void ThrowEos() =>
        throw new HPackDecodingException("Huffman-encoded string contains the EOS symbol (RFC 7541 §5.2).");

    private static void ThrowTooLong() =>
        throw new HPackDecodingException("Huffman-decoded string literal exceeds the maximum length.");

    private static void ThrowBadPadding() =>
        throw new HPackDecodingException(
            "Invalid Huffman padding: longer than 7 bits or not a prefix of EOS (RFC 7541 §5.2).");

    // Fills s_limits and s_symbolOffsets and returns the symbols ordered by (code length, symbol). Throws when a code
    // of Appendix B is not the canonical one, which the decoder relies on.
    private static short[] BuildCanonicalTables()
    {
        var countPerLength = new int[MaxCodeLength + 1];
        for (int symbol = 0; symbol <= HuffmanTable.Eos; symbol++)
        {
            countPerLength[HuffmanTable.Lengths[symbol]]++;
        }

        var sorted = new short[HuffmanTable.Eos + 1];
        var firstCode = new uint[MaxCodeLength + 1];
        var firstIndex = new int[MaxCodeLength + 1];
        uint code = 0;
        int index = 0;
        for (int length = 1; length <= MaxCodeLength; length++)
        {
            firstCode[length] = code;
            firstIndex[length] = index;
            s_symbolOffsets[length] = index - (int)code;
            code += (uint)countPerLength[length];
            index += countPerLength[length];
            s_limits[length] = (ulong)code << (32 - length);
            code <<= 1;
        }

        if (s_limits[MaxCodeLength] != 1UL << 32)
        {
            throw new InvalidOperationException("The Huffman code of RFC 7541 Appendix B is not complete.");
        }

        // Canonical: within a length, codes are consecutive in symbol order from that length's first code.
        var placed = new int[MaxCodeLength + 1];
        for (int symbol = 0; symbol <= HuffmanTable.Eos; symbol++)
        {
            int length = HuffmanTable.Lengths[symbol];
            int rank = placed[length]++;
            if (HuffmanTable.Codes[symbol] != firstCode[length] + (uint)rank)
            {
                throw new InvalidOperationException($"The Huffman code of symbol {symbol} is not canonical.");
            }

            sorted[firstIndex[length] + rank] = (short)symbol;
        }

        return sorted;
    }

    private static uint[] BuildPrimaryTable()
    {
        Debug.Assert(4 * PrimaryBits <= 56, "a refill must leave enough bits for four lookups");
        var table = new uint[1 << PrimaryBits];
        for (int index = 0; index < table.Length; index++)
        {
            uint bits = (uint)index << (32 - PrimaryBits);
            int first = DecodeCanonical(bits, 1);
            int firstLength = first >> 16;
            if (firstLength > PrimaryBits)
            {
                continue; // 0: a long code
            }

            uint entry = SymbolFlag | ((uint)(first & 0xFF) << FirstSymbolShift) | ((uint)firstLength << FirstLengthShift);
            int second = DecodeCanonical(bits << firstLength, 1);
            int consumed = firstLength + (second >> 16);
            if (consumed <= PrimaryBits)
            {
                entry |= SecondSymbolFlag | ((uint)(second & 0xFF) << SecondSymbolShift) | (uint)consumed;
            }
            else
            {
                entry |= (uint)firstLength;
            }

            table[index] = entry;
        }

        return table;
    }
}
