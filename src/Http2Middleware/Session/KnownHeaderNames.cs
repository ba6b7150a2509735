using System.Text;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Interned strings for common header names, so a decoded request does not allocate a new string
/// for every <c>user-agent</c> or <c>accept</c>.
/// </summary>
internal static class KnownHeaderNames
{
    private static readonly string[] Names =
    [
        "accept", "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "access-control-request-headers",
        "access-control-request-method", "age", "allow", "authorization", "cache-control", "content-disposition",
        "content-encoding", "content-language", "content-length", "content-location", "content-range", "content-type",
        "cookie", "date", "dnt", "etag", "expect", "forwarded", "from", "host", "if-match", "if-modified-since",
        "if-none-match", "if-range", "if-unmodified-since", "max-forwards", "origin", "pragma", "priority",
        "proxy-authorization", "range", "referer", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform",
        "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-user", "te", "traceparent", "tracestate",
        "upgrade-insecure-requests", "user-agent", "via", "x-forwarded-for", "x-forwarded-proto", "x-requested-with",
    ];

    // Bucketed by length; names are short, so a linear scan of a bucket is cheap.
    private static readonly (byte[] Bytes, string Name)[][] ByLength = Build();

    /// <summary>The interned name, or a new string (<paramref name="known"/> false) for an uncommon one.</summary>
    public static string Get(ReadOnlySpan<byte> name, out bool known)
    {
        if (name.Length < ByLength.Length)
        {
            foreach ((byte[] bytes, string interned) in ByLength[name.Length])
            {
                if (name.SequenceEqual(bytes))
                {
                    known = true;
                    return interned;
                }
            }
        }

        known = false;
        return Encoding.ASCII.GetString(name);
    }

    private static (byte[], string)[][] Build()
    {
        int max = Names.Max(n => n.Length);
        var buckets = new List<(byte[], string)>[max + 1];
        for (int i = 0; i <= max; i++)
        {
            buckets[i] = [];
        }

        foreach (string name in Names)
        {
            buckets[name.Length].Add((Encoding.ASCII.GetBytes(name), name));
        }

        return buckets.Select(b => b.ToArray()).ToArray();
    }
}
