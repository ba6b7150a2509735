namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>What the batch tests share: their size, deterministic payloads, and a comparison that says where an echo went wrong.</summary>
public static class EchoBatch
{
    public const int Size = 10 * 1024 * 1024;

    public static byte[] RandomBytes(int count, int seed)
    {
        var data = new byte[count];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        int common = expected.AsSpan().CommonPrefixLength(actual);
        Assert.Fail($"Echo differs: expected {expected.Length} octets, got {actual.Length}; first difference at offset {common}.");
    }
}
