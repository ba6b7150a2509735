namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>The body of the sample's <c>GET /bytes/{n}</c>: 64 KiB blocks of 'a' + i % 26 (i the offset in the block).</summary>
public static class BytesPattern
{
    public const int BlockSize = 64 * 1024;

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

    /// <summary>Reads <paramref name="body"/> to its end, checking every octet against the pattern; returns the length.</summary>
    public static async Task<long> VerifyAsync(Stream body, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[256 * 1024];
        long offset = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            Assert.True(Matches(offset, buffer.AsSpan(0, n)), $"body differs from the pattern within octets {offset}..{offset + n}");
            offset += n;
        }

        return offset;
    }

    private static byte[] CreateBlock()
    {
        var block = new byte[BlockSize];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)('a' + (i % 26));
        }

        return block;
    }
}
