using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Http2Lab.Http2.HPack;

// Decoding long strings with two chains at once: the front from the start, the back from the middle.
internal static partial class Huffman
{
    /// <summary>
    /// Decodes most of a long input with two independent lookup chains, so that the processor overlaps their
    /// latencies: a lookup needs the previous lookup of its chain (load, shift, load), and that latency, not the work
    /// per lookup, bounds a single chain. In each round the front chain decodes from where it stands to a little past
    /// a split octet, while the back chain decodes from the split into a side buffer as if a code started there.
    /// Codes resynchronise after a few symbols: once the front chain, past the split, starts a code where the back
    /// chain started one, both decode the same symbols from there on. The back chain's code starts follow from the
    /// lengths of the codes of the symbols it emitted, so the front chain goes on one lookup at a time until it meets
    /// one; the back chain's symbols from there are then the string's next ones, and the front chain takes over the
    /// back chain's state. If they do not meet within <see cref="SyncWindowBits"/> bits past the split, or the back
    /// chain finds EOS, its work is dropped and the rest is left to a single chain. Errors are reported only from the
    /// front chain, in input order, as a single chain would.
    /// </summary>
    /// <returns>The state to go on from; the destination holds the string's symbols up to it.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Chain DecodeWithTwoChains(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Span<byte> aside = stackalloc byte[SideBufferSize];
        byte[] lengths = HuffmanTable.Lengths;

        // Unchecked accesses below happen only under these bounds, tested at the top of each iteration or step:
        // 8-octet loads at positions up to lastFullLoad, at most ChainStoreMargin octets written from a chain's
        // output count up to lastStoreStart / lastSideStart.
        ref uint primary = ref MemoryMarshal.GetArrayDataReference(s_primary);
        ref byte input = ref MemoryMarshal.GetReference(source);
        ref byte output = ref MemoryMarshal.GetReference(destination);
        ref byte side = ref MemoryMarshal.GetReference(aside);
        int lastFullLoad = source.Length - sizeof(ulong);
        int lastStoreStart = destination.Length - ChainStoreMargin;
        if (lastStoreStart < 0)
        {
            return default;
        }

        ref byte lastLoad = ref Unsafe.Add(ref input, lastFullLoad);
        ref byte lastStore = ref Unsafe.Add(ref output, lastStoreStart);
        ref byte lastSideStore = ref Unsafe.Add(ref side, SideBufferSize - ChainStoreMargin);

        // The front chain: its state is the caller's; its output is the destination.
        ulong frontWindow = 0;
        int frontAvailable = 0;
        int frontPosition = 0;
        int frontWritten = 0;
        while (true)
        {
            int firstOctet = frontPosition - ((frontAvailable + 7) >> 3); // holds the front chain's next bit
            int remaining = source.Length - firstOctet;
            if (remaining < TwoChainMinimumLength)
            {
                break;
            }

            // Halves of what the chains can cover: the front chain goes OverlapBits past the split, the back chain
            // stops about TwoChainTailOctets before the end.
            int split = firstOctet + Math.Min((remaining - TwoChainTailOctets - (OverlapBits / 8)) / 2, MaxFrontOctets);
            ulong backWindow = 0;
            int backAvailable = 0;

            // Both chains in step. A refill leaves each at least 56 bits, enough for four lookups; on a code longer
            // than PrimaryBits, both stop and the long code is decoded below. The loop runs on references rather
            // than offsets, which keeps both chains' state in registers; they stay within their buffers: loads
            // start at lastFullLoad at most and advance 7 octets, stores start at lastStoreStart (lastSideStart) at
            // most and advance ChainStoreMargin - 1 octets.
            ref byte splitOctet = ref Unsafe.Add(ref input, split);
            ref byte frontIn = ref Unsafe.Add(ref input, frontPosition);
            ref byte frontOut = ref Unsafe.Add(ref output, frontWritten);
            ref byte backIn = ref splitOctet;
            ref byte backOut = ref side;
            bool backFailed = false;
            while (Unsafe.ByteOffset(ref splitOctet, ref frontIn) * 8 < frontAvailable + OverlapBits
                && !Unsafe.IsAddressGreaterThan(ref frontIn, ref lastLoad)
                && !Unsafe.IsAddressGreaterThan(ref frontOut, ref lastStore)
                && !Unsafe.IsAddressGreaterThan(ref backIn, ref lastLoad)
                && !Unsafe.IsAddressGreaterThan(ref backOut, ref lastSideStore))
            {
                frontWindow |= LoadBigEndian(ref frontIn) >> frontAvailable;
                frontIn = ref Unsafe.Add(ref frontIn, (63 - frontAvailable) >> 3);
                frontAvailable |= 56;
                backWindow |= LoadBigEndian(ref backIn) >> backAvailable;
                backIn = ref Unsafe.Add(ref backIn, (63 - backAvailable) >> 3);
                backAvailable |= 56;

                uint frontEntry = Unsafe.Add(ref primary, (nint)(frontWindow >> (64 - PrimaryBits)));
                uint backEntry = Unsafe.Add(ref primary, (nint)(backWindow >> (64 - PrimaryBits)));
                if ((int)(frontEntry & backEntry) >= 0)
                {
                    goto LongCode;
                }

                StoreSymbols(ref frontOut, frontEntry);
                frontOut = ref Unsafe.Add(ref frontOut, (nint)(frontEntry >> CountShift) - 1);
                frontWindow <<= (int)frontEntry;
                frontAvailable -= (int)(frontEntry & ConsumedMask);
                StoreSymbols(ref backOut, backEntry);
                backOut = ref Unsafe.Add(ref backOut, (nint)(backEntry >> CountShift) - 1);
                backWindow <<= (int)backEntry;
                backAvailable -= (int)(backEntry & ConsumedMask);

                frontEntry = Unsafe.Add(ref primary, (nint)(frontWindow >> (64 - PrimaryBits)));
                backEntry = Unsafe.Add(ref primary, (nint)(backWindow >> (64 - PrimaryBits)));
                if ((int)(frontEntry & backEntry) >= 0)
                {
                    goto LongCode;
                }

                StoreSymbols(ref frontOut, frontEntry);
                frontOut = ref Unsafe.Add(ref frontOut, (nint)(frontEntry >> CountShift) - 1);
                frontWindow <<= (int)frontEntry;
                frontAvailable -= (int)(frontEntry & ConsumedMask);
                StoreSymbols(ref backOut, backEntry);
                backOut = ref Unsafe.Add(ref backOut, (nint)(backEntry >> CountShift) - 1);
                backWindow <<= (int)backEntry;
                backAvailable -= (int)(backEntry & ConsumedMask);

                frontEntry = Unsafe.Add(ref primary, (nint)(frontWindow >> (64 - PrimaryBits)));
                backEntry = Unsafe.Add(ref primary, (nint)(backWindow >> (64 - PrimaryBits)));
                if ((int)(frontEntry & backEntry) >= 0)
                {
                    goto LongCode;
                }

                StoreSymbols(ref frontOut, frontEntry);
                frontOut = ref Unsafe.Add(ref frontOut, (nint)(frontEntry >> CountShift) - 1);
                frontWindow <<= (int)frontEntry;
                frontAvailable -= (int)(frontEntry & ConsumedMask);
                StoreSymbols(ref backOut, backEntry);
                backOut = ref Unsafe.Add(ref backOut, (nint)(backEntry >> CountShift) - 1);
                backWindow <<= (int)backEntry;
                backAvailable -= (int)(backEntry & ConsumedMask);

                frontEntry = Unsafe.Add(ref primary, (nint)(frontWindow >> (64 - PrimaryBits)));
                backEntry = Unsafe.Add(ref primary, (nint)(backWindow >> (64 - PrimaryBits)));
                if ((int)(frontEntry & backEntry) >= 0)
                {
                    goto LongCode;
                }

                StoreSymbols(ref frontOut, frontEntry);
                frontOut = ref Unsafe.Add(ref frontOut, (nint)(frontEntry >> CountShift) - 1);
                frontWindow <<= (int)frontEntry;
                frontAvailable -= (int)(frontEntry & ConsumedMask);
                StoreSymbols(ref backOut, backEntry);
                backOut = ref Unsafe.Add(ref backOut, (nint)(backEntry >> CountShift) - 1);
                backWindow <<= (int)backEntry;
                backAvailable -= (int)(backEntry & ConsumedMask);
                continue;

            LongCode:
                // Either chain may be the one at a long code; the other one just waits for the next iteration.
                if ((int)frontEntry >= 0 && frontAvailable >= MaxCodeLength)
                {
                    int decoded = DecodeLongCode(frontWindow);
                    if ((decoded & 0xFFFF) == HuffmanTable.Eos)
                    {
                        ThrowEos();
                    }

                    frontOut = (byte)decoded;
                    frontOut = ref Unsafe.Add(ref frontOut, 1);
                    frontWindow <<= decoded >> 16;
                    frontAvailable -= decoded >> 16;
                }

                if ((int)backEntry >= 0 && backAvailable >= MaxCodeLength)
                {
                    int decoded = DecodeLongCode(backWindow);
                    if ((decoded & 0xFFFF) == HuffmanTable.Eos)
                    {
                        backFailed = true; // most likely decoding from a point where no code starts
                        break;
                    }

                    backOut = (byte)decoded;
                    backOut = ref Unsafe.Add(ref backOut, 1);
                    backWindow <<= decoded >> 16;
                    backAvailable -= decoded >> 16;
                }
            }

            frontPosition = (int)Unsafe.ByteOffset(ref input, ref frontIn);
            frontWritten = (int)Unsafe.ByteOffset(ref output, ref frontOut);
            int backPosition = (int)Unsafe.ByteOffset(ref input, ref backIn);
            int backWritten = (int)Unsafe.ByteOffset(ref side, ref backOut);
            if (backFailed)
            {
                break;
            }

            // Past the split, the front chain goes on one lookup at a time until it starts a code where the back
            // chain did (before that, if the back chain stopped first, it just catches up). backStart is where the
            // back chain's symbol number `backIndex` starts, relative to the split.
            int backBits = (8 * (backPosition - split)) - backAvailable;
            int meetLimit = Math.Min(backBits, SyncWindowBits);
            int backStart = 0;
            int backIndex = 0;
            while (true)
            {
                int frontBits = (8 * (frontPosition - split)) - frontAvailable;
                if (frontBits >= 0)
                {
                    if (frontBits > meetLimit)
                    {
                        goto Single;
                    }

                    while (backStart < frontBits)
                    {
                        backStart += lengths[aside[backIndex++]];
                    }

                    if (backStart == frontBits)
                    {
                        break;
                    }
                }

                if (frontWritten > lastStoreStart)
                {
                    goto Single;
                }

                if (frontAvailable < MaxCodeLength)
                {
                    if (frontPosition > lastFullLoad)
                    {
                        goto Single;
                    }

                    frontWindow |= LoadBigEndian(ref Unsafe.Add(ref input, frontPosition)) >> frontAvailable;
                    frontPosition += (63 - frontAvailable) >> 3;
                    frontAvailable |= 56;
                }

                uint entry = Unsafe.Add(ref primary, (nint)(frontWindow >> (64 - PrimaryBits)));
                int length;
                if ((int)entry < 0)
                {
                    // Both symbols of the entry, unless the back chain started a code between them.
                    StoreSymbols(ref Unsafe.Add(ref output, frontWritten), entry);
                    length = (int)(entry & ConsumedMask);
                    int middle = frontBits + ((int)(entry >> FirstLengthShift) & 31);
                    if ((entry & SecondSymbolFlag) != 0 && middle >= 0 && middle <= meetLimit)
                    {
                        while (backStart < middle)
                        {
                            backStart += lengths[aside[backIndex++]];
                        }

                        if (backStart == middle)
                        {
                            length = (int)(entry >> FirstLengthShift) & 31;
                            entry &= ~SecondSymbolFlag;
                        }
                    }

                    frontWritten += (int)(entry >> CountShift) - 2; // the increment below counts the first
                }
                else
                {
                    int decoded = DecodeLongCode(frontWindow);
                    if ((decoded & 0xFFFF) == HuffmanTable.Eos)
                    {
                        ThrowEos();
                    }

                    Unsafe.Add(ref output, frontWritten) = (byte)decoded;
                    length = decoded >> 16;
                }

                frontWritten++;
                frontWindow <<= length;
                frontAvailable -= length;
            }

            // The chains met: the back chain's symbols from backIndex on follow the front chain's.
            int count = backWritten - backIndex;
            if (count > destination.Length - frontWritten)
            {
                ThrowTooLong();
            }

            aside.Slice(backIndex, count).CopyTo(destination[frontWritten..]);
            frontWindow = backWindow;
            frontAvailable = backAvailable;
            frontPosition = backPosition;
            frontWritten += count;
        }

    Single:
        return new Chain(frontWindow, frontAvailable, frontPosition, frontWritten);
    }

    /// <summary>Where a decoding chain stands: the state of <see cref="Decode"/>'s loops.</summary>
    private readonly struct Chain(ulong window, int available, int position, int written)
    {
        public ulong Window { get; } = window;

        public int Available { get; } = available;

        public int Position { get; } = position;

        public int Written { get; } = written;
    }
}
