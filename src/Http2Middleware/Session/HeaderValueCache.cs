using System.Text;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Remembers the last value seen for each well-known field on one connection: clients repeat the
/// same <c>:authority</c>, <c>user-agent</c> or <c>accept</c> on every request, so a repeat request
/// reuses those strings instead of allocating new ones. Keys are interned names only, so the cache
/// is bounded by the number of names <see cref="KnownHeaderNames"/> knows.
/// </summary>
internal sealed class HeaderValueCache
{
    private static readonly string[] Methods = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT"];
    private readonly Dictionary<string, string> _last = new(ReferenceEqualityComparer.Instance);

    /// <summary>A string equal to <paramref name="value"/> (Latin-1), reused when it matches.</summary>
    public string Get(string internedName, ReadOnlySpan<byte> value)
    {
        if (_last.TryGetValue(internedName, out string? previous) && Matches(value, previous))
        {
            return previous;
        }

        string text = Encoding.Latin1.GetString(value);
        _last[internedName] = text;
        return text;
    }

    /// <summary>The <c>:method</c> value, interned for the common methods.</summary>
    public static string GetMethod(ReadOnlySpan<byte> value)
    {
        foreach (string method in Methods)
        {
            if (Matches(value, method))
            {
                return method;
            }
        }

        return Encoding.Latin1.GetString(value);
    }

    private static bool Matches(ReadOnlySpan<byte> value, string text)
    {
        if (value.Length != text.Length)
        {
            return false;
        }

        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }
}
