namespace Http2Lab.Testing;

/// <summary>
/// The body of the sample's <c>GET /bytes/{n}</c> (see DemoRoutes): 64 KiB blocks, each filled with 'a' + i % 26 where
/// i is the offset inside the block. Shared by the interop and the client tests.
/// </summary>
internal static class BytesPattern
{
    public const int BlockSize = 64 * 1024;

    /// <summary>One block of the pattern (for writing the same body to a file a C server serves).</summary>
    public static readonly byte[] Block = CreateBlock();

    /// <summary>Whether <paramref name="chunk"/> is what the body holds at <paramref name="offset"/>.</summary>
    public static bool Matches(long offset, ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            int inBlock = (int)(offset % BlockSize);
            int n = Math.Min(chunk.Length, BlockSize - inBlock);
            if (!chunk[..n].SequenceEqual(Block.AsSpan(inBlock, n)))
            {
                return false;
            }

            chunk = chunk[n..];
            offset += n;
        }

        return true;
    }

    /// <summary>
    /// Reads <paramref name="body"/> to its end, checking every octet against the pattern; returns the length. A
    /// difference is an <see cref="InvalidDataException"/> naming where (this library uses no test framework).
    /// </summary>
    public static async Task<long> VerifyAsync(Stream body, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[256 * 1024];
        long offset = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (!Matches(offset, buffer.AsSpan(0, n)))
            {
                throw new InvalidDataException($"body differs from the pattern within octets {offset}..{offset + n}");
            }

            offset += n;
        }

        return offset;
    }

    private static byte[] CreateBlock()
    {
        var block = new byte[BlockSize];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)('a' + i % 26);
        }

        return block;
    }
}
