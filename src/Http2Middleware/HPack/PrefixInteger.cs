namespace Http2Lab.Http2.HPack;

/// <summary>The prefixed integer representation of RFC 7541 §5.1, limited to the range of <see cref="int"/>.</summary>
internal static class PrefixInteger
{
    /// <summary>Most octets a non-negative <see cref="int"/> takes (1-bit prefix plus five 7-bit groups).</summary>
    public const int MaxEncodedLength = 6;

    // At most five continuation octets (7 bits each) are needed for 2^31 - 1; more is treated as overflow.
    private const int MaxShift = 28;

    /// <summary>
    /// Writes <paramref name="value"/> with an N-bit prefix (§5.1); the bits above the prefix in the first octet
    /// come from <paramref name="flags"/>.
    /// </summary>
    /// <returns>The number of octets written (at most <see cref="MaxEncodedLength"/>).</returns>
    public static int Encode(int value, int prefixBits, byte flags, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[0] = (byte)(flags | value);
            return 1;
        }

        destination[0] = (byte)(flags | max);
        uint rest = (uint)(value - max);
        int written = 1;
        while (rest >= 0x80)
        {
            destination[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        destination[written++] = (byte)rest;
        return written;
    }

    /// <summary>
    /// Reads an integer with an N-bit prefix starting at <paramref name="position"/> (§5.1), ignoring the bits above
    /// the prefix, and advances <paramref name="position"/> past it.
    /// </summary>
    /// <exception cref="HPackDecodingException">The integer is truncated or exceeds <see cref="int.MaxValue"/>.</exception>
    public static int Decode(ReadOnlySpan<byte> source, ref int position, int prefixBits)
    {
        if ((uint)position >= (uint)source.Length)
        {
            throw Truncated();
        }

        int max = (1 << prefixBits) - 1;
        int value = source[position++] & max;
        if (value < max)
        {
            return value;
        }

        long result = max;
        int shift = 0;
        while (true)
        {
            if ((uint)position >= (uint)source.Length)
            {
                throw Truncated();
            }

            byte b = source[position++];
            result += (long)(b & 0x7F) << shift;
            if (result > int.MaxValue)
            {
                throw Overflow();
            }

            if ((b & 0x80) == 0)
            {
                return (int)result;
            }

            shift += 7;
            if (shift > MaxShift)
            {
                throw Overflow();
            }
        }
    }

    private static HPackDecodingException Truncated() =>
        new("Truncated integer in header block (RFC 7541 §5.1).");

    private static HPackDecodingException Overflow() =>
        new("Integer in header block exceeds the supported range (RFC 7541 §5.1).");
}
