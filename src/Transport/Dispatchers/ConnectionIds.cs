namespace Http2Lab.Transport.Dispatchers;

/// <summary>Connection ids for dispatchers that accept sockets themselves: short, unique in the process.</summary>
internal static class ConnectionIds
{
    private static long _next;

    public static string Next(string prefix) => $"{prefix}{Interlocked.Increment(ref _next):X}";
}
