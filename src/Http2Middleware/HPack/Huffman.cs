using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Http2Lab.Http2.HPack;

/// <summary>
/// Huffman coding of string literals (RFC 7541 §5.2, Appendix B). Encoding packs codes through a 64-bit
/// accumulator, 32 bits per store. Decoding keeps the pending input bits left-aligned in a 64-bit window, refilled
/// 8 octets per load, and looks the window's top <see cref="PrimaryBits"/> bits up in a table that yields one or two
/// whole symbols at once; codes longer than that (octets outside printable ASCII) are decoded through the code's
/// canonical order. Long inputs are decoded by two such chains at once (<see cref="DecodeWithTwoChains"/>).
/// </summary>
internal static partial class Huffman
{
    /// <summary>
    /// Bits indexing the primary decoding table (of 4-octet entries: 64 KiB); codes up to this length decode in one
    /// lookup, and two codes that fit together decode in one too, such as two 7-bit ones (most letters of either
    /// case). 14 is the most that four lookups per refill of at least 56 bits allow.
    /// </summary>
    internal const int PrimaryBits = 14;

    /// <summary>Longest code of the table, EOS's (Appendix B).</summary>
    internal const int MaxCodeLength = 30;

    /// <summary>Inputs at least this long (in octets) are decoded with two chains.</summary>
    internal const int TwoChainMinimumLength = 48;

    // Primary table entry: bits 0-5 bits consumed by the entry's symbols (bits 6-7 zero), 8-15 first symbol, 16-23
    // second symbol, 24-28 length of the first symbol's code, bit 30 set when there is a second symbol, bit 31 set
    // when there is a symbol at all; 0 means the code is longer than PrimaryBits. So `(int)entry < 0` tests for
    // symbols, `(entry >> 30) - 1` counts them, and `window << (int)entry` consumes them (shift counts are taken
    // modulo 64) straight from the loaded entry: lookup, shift, lookup is the decoder's critical path. Counting the
    // consumed bits with the mask 0xFF rather than 63 keeps the JIT from sharing one masked value with the shift,
    // which would lengthen that path by an AND.
    private const uint ConsumedMask = 0xFF;
    private const int FirstSymbolShift = 8;
    private const int SecondSymbolShift = 16;
    private const int FirstLengthShift = 24;
    private const int CountShift = 30;
    private const uint SecondSymbolFlag = 1u << 30;
    private const uint SymbolFlag = 1u << 31;

    // Two-chain decoding (DecodeWithTwoChains). The back chain starts at most MaxFrontOctets after the front chain,
    // which then goes OverlapBits past that split, and both advance about as fast, so the back chain decodes at most
    // about (8 * 130 + 56) / 5 < 220 symbols (codes are at least 5 bits) before the front chain is done: its side
    // buffer of SideBufferSize octets is rarely what stops it (the loop checks). Each chain writes at most
    // ChainStoreMargin octets per iteration. The back chain's 8-octet loads stop 8 octets before the end, so about
    // TwoChainTailOctets are left to a single chain; the chains must meet within SyncWindowBits past the split.
    private const int SideBufferSize = 256;
    private const int MaxFrontOctets = 128;
    private const int ChainStoreMargin = 10;
    private const int TwoChainTailOctets = 16;
    private const int SyncWindowBits = 128;
    private const int OverlapBits = 16;

    // The canonical form of the code (every RFC 7541 code is the canonical one for its length; checked when the
    // tables are built). s_limits[length] is the exclusive upper bound of the 32-bit left-aligned windows that start
    // with a code of at most that length; a window starting with a code of length L has its symbol at
    // s_sortedSymbols[(window >> (32 - L)) + s_symbolOffsets[L]].
    private static readonly ulong[] s_limits = new ulong[MaxCodeLength + 1];
    private static readonly int[] s_symbolOffsets = new int[MaxCodeLength + 1];
    private static readonly short[] s_sortedSymbols = BuildCanonicalTables();

    private static readonly uint[] s_primary = BuildPrimaryTable();

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

        // Only the low `pending` bits of the accumulator are still to be written; older bits are shifted out
        // harmlessly. `pending` stays below 32 between symbols, and a code adds at most 30, so nothing is lost.
        ulong accumulator = 0;
        int pending = 0;
        int written = 0;
        foreach (byte b in source)
        {
            int length = lengths[b];
            accumulator = (accumulator << length) | codes[b];
            pending += length;
            if (pending >= 32)
            {
                // Four whole octets of the output, so the destination has room for them.
                pending -= 32;
                BinaryPrimitives.WriteUInt32BigEndian(destination[written..], (uint)(accumulator >> pending));
                written += 4;
            }
        }

        while (pending >= 8)
        {
            pending -= 8;
            destination[written++] = (byte)(accumulator >> pending);
        }

        if (pending > 0)
        {
            destination[written++] = (byte)((accumulator << (8 - pending)) | (0xFFu >> pending));
        }

        return written;
    }

    /// <summary>
    /// Decodes a Huffman-encoded string literal into <paramref name="destination"/>. Octets of the destination past
    /// the returned length may be overwritten too.
    /// </summary>
    /// <returns>The number of octets written.</returns>
    /// <exception cref="HPackDecodingException">
    /// The data contains EOS, its padding is longer than 7 bits or not all ones (§5.2), or the decoded string does
    /// not fit in <paramref name="destination"/>.
    /// </exception>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        // The references below are only dereferenced at offsets checked in the same iteration: the table index is
        // the top PrimaryBits bits of a ulong (the table has exactly that many entries), source reads of 8 octets
        // happen while at least 8 remain, and unchecked stores while the destination has room for them.
        ref uint primary = ref MemoryMarshal.GetArrayDataReference(s_primary);
        ref byte input = ref MemoryMarshal.GetReference(source);
        ref byte output = ref MemoryMarshal.GetReference(destination);

        // The top `available` bits of `window` are the next bits of the input. The bits below them are either zero
        // or the input's following bits (a refill loads whole octets and may run ahead of what it counts), so
        // reloading them ORs in the same values. Long inputs first go through two chains, which leave the tail.
        ulong window = 0;
        int available = 0;
        int position = 0;
        int written = 0;
        if (source.Length >= TwoChainMinimumLength)
        {
            Chain start = DecodeWithTwoChains(source, destination);
            window = start.Window;
            available = start.Available;
            position = start.Position;
            written = start.Written;
        }

        // Fast loop: a refill brings `available` to 56 or more, enough for four lookups of at most PrimaryBits bits;
        // each writes at most two octets. The four lookups are written out rather than looped so that there is one
        // bounds check and one refill per four lookups (measured: the loop form is markedly slower).
        int lastFullLoad = source.Length - sizeof(ulong);
        int lastFastStore = destination.Length - (4 * 2);
        while (position <= lastFullLoad && written <= lastFastStore)
        {
            window |= LoadBigEndian(ref Unsafe.Add(ref input, position)) >> available;
            position += (63 - available) >> 3;
            available |= 56;

            uint entry = Unsafe.Add(ref primary, (nint)(window >> (64 - PrimaryBits)));
            if ((int)entry >= 0)
            {
                goto LongCode;
            }

            StoreSymbols(ref Unsafe.Add(ref output, written), entry);
            written += (int)(entry >> CountShift) - 1;
            window <<= (int)entry;
            available -= (int)(entry & ConsumedMask);

            entry = Unsafe.Add(ref primary, (nint)(window >> (64 - PrimaryBits)));
            if ((int)entry >= 0)
            {
                goto LongCode;
            }

            StoreSymbols(ref Unsafe.Add(ref output, written), entry);
            written += (int)(entry >> CountShift) - 1;
            window <<= (int)entry;
            available -= (int)(entry & ConsumedMask);

            entry = Unsafe.Add(ref primary, (nint)(window >> (64 - PrimaryBits)));
            if ((int)entry >= 0)
            {
                goto LongCode;
            }

            StoreSymbols(ref Unsafe.Add(ref output, written), entry);
            written += (int)(entry >> CountShift) - 1;
            window <<= (int)entry;
            available -= (int)(entry & ConsumedMask);

            entry = Unsafe.Add(ref primary, (nint)(window >> (64 - PrimaryBits)));
            if ((int)entry >= 0)
            {
                goto LongCode;
            }

            StoreSymbols(ref Unsafe.Add(ref output, written), entry);
            written += (int)(entry >> CountShift) - 1;
            window <<= (int)entry;
            available -= (int)(entry & ConsumedMask);
            continue;

        LongCode:
            if (available < MaxCodeLength)
            {
                continue; // refill first; the next lookup sees the same code
            }

            int decoded = DecodeLongCode(window);
            int length = decoded >> 16;
            if ((decoded & 0xFFFF) == HuffmanTable.Eos)
            {
                ThrowEos();
            }

            Unsafe.Add(ref output, written) = (byte)decoded;
            written++;
            window <<= length;
            available -= length;
        }

        // General loop, for the last octets of the input or of the destination: checks every store, and once fewer
        // than 8 octets remain loads them with narrower reads. When the input runs out, the window's low bits are
        // zeros, so a lookup may describe symbols that run past the data: those are not in the string.
        while (true)
        {
            if (available < MaxCodeLength)
            {
                if (position <= lastFullLoad)
                {
                    window |= LoadBigEndian(ref Unsafe.Add(ref input, position)) >> available;
                    position += (63 - available) >> 3;
                    available |= 56;
                }
                else if (position < source.Length)
                {
                    int left = source.Length - position; // 1 to 7 octets, of which at least 4 fit in the window
                    window |= LoadFinalOctets(ref Unsafe.Add(ref input, position), left) >> available;
                    int loaded = Math.Min(left, (64 - available) >> 3);
                    position += loaded;
                    available += 8 * loaded;
                }
            }

            uint entry = Unsafe.Add(ref primary, (nint)(window >> (64 - PrimaryBits)));
            int consumed = (int)(entry & ConsumedMask);
            if ((int)entry < 0 && consumed <= available && written <= destination.Length - 2)
            {
                StoreSymbols(ref Unsafe.Add(ref output, written), entry);
                written += (int)(entry >> CountShift) - 1;
                window <<= (int)entry;
                available -= consumed;
            }
            else if ((int)entry < 0)
            {
                int firstLength = (int)(entry >> FirstLengthShift) & 31;
                if (firstLength > available)
                {
                    break; // only padding, or a truncated code, is left
                }

                if ((uint)written >= (uint)destination.Length)
                {
                    ThrowTooLong();
                }

                destination[written++] = (byte)(entry >> FirstSymbolShift);
                if ((entry & SecondSymbolFlag) != 0 && consumed <= available)
                {
                    if ((uint)written >= (uint)destination.Length)
                    {
                        ThrowTooLong();
                    }

                    destination[written++] = (byte)(entry >> SecondSymbolShift);
                    window <<= consumed;
                    available -= consumed;
                }
                else
                {
                    window <<= firstLength;
                    available -= firstLength;
                }
            }
            else
            {
                int decoded = DecodeLongCode(window);
                int length = decoded >> 16;
                if (length > available)
                {
                    break;
                }

                if ((decoded & 0xFFFF) == HuffmanTable.Eos)
                {
                    ThrowEos();
                }

                if ((uint)written >= (uint)destination.Length)
                {
                    ThrowTooLong();
                }

                destination[written++] = (byte)decoded;
                window <<= length;
                available -= length;
            }
        }

        // The loop stops only once the input is exhausted: while any is left, loads keep at least MaxCodeLength bits
        // available, enough for any code. What remains must be at most 7 bits, all ones: a prefix of EOS.
        Debug.Assert(position == source.Length, "the whole input was loaded");
        if (available > 7 || (available > 0 && (~window >> (64 - available)) != 0))
        {
            ThrowBadPadding();
        }

        return written;
    }
}
