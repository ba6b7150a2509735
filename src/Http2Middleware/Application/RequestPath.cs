using System.Text;

namespace Http2Lab.Http2.Application;

/// <summary>
/// The path a handler sees, made from the <c>:path</c> as sent the way Kestrel does: percent-escapes decoded (UTF-8)
/// except <c>%2F</c>, which stays encoded so a decoded slash never makes a new segment, then dot segments removed
/// (RFC 3986 §5.2.4) — a handler never sees <c>/static/../appsettings.json</c>.
/// </summary>
internal static class RequestPath
{
    /// <summary>Normalises a path without its query; returns the same instance when nothing changes.</summary>
    public static string Normalize(string path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return path; // "*" (OPTIONS) and the like are not paths
        }

        if (path.Contains('%'))
        {
            path = Decode(path);
        }

        return path.Contains("/.", StringComparison.Ordinal) ? RemoveDotSegments(path) : path;
    }

    private static string Decode(string path)
    {
        byte[] raw = Encoding.UTF8.GetBytes(path);
        var decoded = new byte[raw.Length];
        int length = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                byte value = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                if (value != '/')
                {
                    decoded[length++] = value;
                    i += 2;
                    continue;
                }
            }

            decoded[length++] = raw[i];
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(decoded, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return path; // not UTF-8 once decoded: keep the escapes rather than invent characters
        }
    }

    private static string RemoveDotSegments(string path)
    {
        string[] parts = path[1..].Split('/');
        var kept = new List<string>(parts.Length);
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part is "." or "..")
            {
                if (part == ".." && kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                if (i == parts.Length - 1)
                {
                    kept.Add(""); // "/a/b/.." is "/a/": the path still names a directory
                }

                continue;
            }

            kept.Add(part);
        }

        return "/" + string.Join('/', kept);
    }

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
