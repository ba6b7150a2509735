namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// The body of <c>GET /bytes/{n}</c> (see DemoRoutes): 64 KiB blocks, each filled with 'a' + i % 26 where i is
/// the offset inside the block.
/// </summary>
public static class BytesPattern
{
    public const int BlockSize = 64 * 1024;

    private static readonly byte[] Block = CreateBlock();

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
