using System.Globalization;

namespace Http2Lab.Http2.Application;

/// <summary>
/// <c>content-length</c> values up to 4096 octets (held-back writes, text handlers) as strings made once each, so the common
/// small response does not format a new string per request.
/// </summary>
internal static class ContentLength
{
    private const int MaxCached = 4096;
    private static readonly string?[] Cache = new string?[MaxCached + 1];

    /// <summary>The decimal text of <paramref name="length"/>.</summary>
    public static string Text(int length)
    {
        if ((uint)length > MaxCached)
        {
            return length.ToString(CultureInfo.InvariantCulture);
        }

        // A race makes two equal strings: harmless.
        return Cache[length] ??= length.ToString(CultureInfo.InvariantCulture);
    }
}
