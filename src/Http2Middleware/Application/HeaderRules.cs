using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Application;

/// <summary>What a response field must look like on an HTTP/2 connection (RFC 9113 §8.2).</summary>
internal static class HeaderRules
{
    public static KeyValuePair<string, string> Validate(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        string lower = name.ToLowerInvariant();
        if (lower[0] == ':')
        {
            throw new ArgumentException($"'{name}': pseudo-headers are set by the server.", nameof(name));
        }

        if (HeaderFieldRules.IsConnectionSpecific(lower))
        {
            throw new ArgumentException($"'{name}' is connection-specific and not allowed in HTTP/2 (RFC 9113 §8.2.2).", nameof(name));
        }

        foreach (char c in lower)
        {
            if (!HeaderFieldRules.IsLowercaseTokenChar(c))
            {
                throw new ArgumentException($"'{name}' is not a valid field name.", nameof(name));
            }
        }

        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new ArgumentException($"The value of '{name}' contains CR, LF or NUL.", nameof(value));
        }

        return new KeyValuePair<string, string>(lower, value.Trim(' ', '\t'));
    }
}
