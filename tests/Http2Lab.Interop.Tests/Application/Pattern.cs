namespace Http2Lab.Interop.Tests.Application;

/// <summary>Recognisable body octets: the octet at offset <c>i</c> is <c>i % 251</c> (a prime, so no power-of-two chunking hides a shift).</summary>
internal static class Pattern
{
    private const int Period = 251;
    private static readonly byte[] Source = Create(Period * 300);

    /// <summary><paramref name="length"/> octets of the body starting at <paramref name="offset"/> (length at most 64 KiB).</summary>
    public static ReadOnlyMemory<byte> Slice(long offset, int length) => Source.AsMemory((int)(offset % Period), length);

    /// <summary>A fresh array of the body's first <paramref name="length"/> octets.</summary>
    public static byte[] Create(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i % Period);
        }

        return bytes;
    }

    /// <summary>Whether <paramref name="chunk"/> is what the body holds at <paramref name="offset"/>.</summary>
    public static bool Matches(long offset, ReadOnlySpan<byte> chunk)
    {
        for (int i = 0; i < chunk.Length; i++)
        {
            if (chunk[i] != (byte)((offset + i) % Period))
            {
                return false;
            }
        }

        return true;
    }
}
