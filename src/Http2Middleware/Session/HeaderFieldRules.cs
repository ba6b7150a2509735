namespace Http2Lab.Http2.Session;

/// <summary>Field-name rules shared by request validation and the response API (RFC 9113 §8.2).</summary>
internal static class HeaderFieldRules
{
    /// <summary>§8.2.2: fields that are connection-specific in HTTP/1.1 and malformed in HTTP/2 (lowercase name).</summary>
    public static bool IsConnectionSpecific(string lowercaseName) =>
        lowercaseName is "connection" or "proxy-connection" or "keep-alive" or "transfer-encoding" or "upgrade";

    /// <summary>RFC 9110 §5.6.2 tchar, minus uppercase letters (RFC 9113 §8.2.1).</summary>
    public static bool IsLowercaseTokenChar(int c) =>
        c is (>= 'a' and <= 'z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
