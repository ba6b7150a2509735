using System.Buffers;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Application;

/// <summary>What a response field must look like on an HTTP/2 connection (RFC 9113 §8.2).</summary>
internal static class HeaderRules
{
    // Made from the one definition of a lowercase tchar, for vectorised scans of whole names.
    private static readonly SearchValues<char> LowercaseTokenChars = SearchValues.Create(
        Enumerable.Range(0, 128).Where(HeaderFieldRules.IsLowercaseTokenChar).Select(c => (char)c).ToArray());

    private static readonly char[] OptionalWhitespace = [' ', '\t'];

    // Runs for every header a handler sets: no allocation when the name is already lowercase and the value has no
    // surrounding whitespace (the usual case).
    public static KeyValuePair<string, string> Validate(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        string lower = name.AsSpan().ContainsAnyInRange('A', 'Z') ? name.ToLowerInvariant() : name;
        if (lower[0] == ':')
        {
            throw new ArgumentException($"'{name}': pseudo-headers are set by the server.", nameof(name));
        }

        if (HeaderFieldRules.IsConnectionSpecific(lower))
        {
            throw new ArgumentException($"'{name}' is connection-specific and not allowed in HTTP/2 (RFC 9113 §8.2.2).", nameof(name));
        }

        if (lower.AsSpan().ContainsAnyExcept(LowercaseTokenChars))
        {
            throw new ArgumentException($"'{name}' is not a valid field name.", nameof(name));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new ArgumentException($"The value of '{name}' contains CR, LF or NUL.", nameof(value));
        }

        return new KeyValuePair<string, string>(lower, value.Trim(OptionalWhitespace));
    }
}
