using System.Collections.Concurrent;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// Field names as HTTP/2 sends them (RFC 9113 §8.2.1: lowercase). ASP.NET Core code writes <c>Content-Type</c>; the
/// lowercase spelling of each name is made once and kept, so a response does not allocate a string per field.
/// </summary>
internal static class HeaderNames
{
    private const int MaxCached = 512;
    private static readonly ConcurrentDictionary<string, string> Lowercase = new(StringComparer.Ordinal);

    public static string ToLower(string name)
    {
        if (!name.AsSpan().ContainsAnyInRange('A', 'Z'))
        {
            return name;
        }

        if (Lowercase.TryGetValue(name, out string? lower))
        {
            return lower;
        }

        lower = name.ToLowerInvariant();
        if (Lowercase.Count < MaxCached)
        {
            Lowercase.TryAdd(name, lower); // bounded: names chosen per request (rare) must not grow the cache forever
        }

        return lower;
    }
}
