using System.Text;

namespace Http2Lab.Http2.HPack;

/// <summary>The predefined static table of RFC 7541 §2.3.1 and Appendix A (indices 1 to 61).</summary>
internal static class StaticTable
{
    /// <summary>Number of entries; dynamic table indices start right after (§2.3.3).</summary>
    public const int Count = 61;

    private static readonly string[] s_source =
    [
        ":authority", "",
        ":method", "GET",
        ":method", "POST",
        ":path", "/",
        ":path", "/index.html",
        ":scheme", "http",
        ":scheme", "https",
        ":status", "200",
        ":status", "204",
        ":status", "206",
        ":status", "304",
        ":status", "400",
        ":status", "404",
        ":status", "500",
        "accept-charset", "",
        "accept-encoding", "gzip, deflate",
        "accept-language", "",
        "accept-ranges", "",
        "accept", "",
        "access-control-allow-origin", "",
        "age", "",
        "allow", "",
        "authorization", "",
        "cache-control", "",
        "content-disposition", "",
        "content-encoding", "",
        "content-language", "",
        "content-length", "",
        "content-location", "",
        "content-range", "",
        "content-type", "",
        "cookie", "",
        "date", "",
        "etag", "",
        "expect", "",
        "expires", "",
        "from", "",
        "host", "",
        "if-match", "",
        "if-modified-since", "",
        "if-none-match", "",
        "if-range", "",
        "if-unmodified-since", "",
        "last-modified", "",
        "link", "",
        "location", "",
        "max-forwards", "",
        "proxy-authenticate", "",
        "proxy-authorization", "",
        "range", "",
        "referer", "",
        "refresh", "",
        "retry-after", "",
        "server", "",
        "set-cookie", "",
        "strict-transport-security", "",
        "transfer-encoding", "",
        "user-agent", "",
        "vary", "",
        "via", "",
        "www-authenticate", "",
    ];

    // Slot 0 is unused so that the arrays are indexed by HPACK index.
    private static readonly byte[][] s_names = new byte[Count + 1][];
    private static readonly byte[][] s_values = new byte[Count + 1][];

    // Entries sharing a name are adjacent; s_lastWithName[i] is the last index of the run that starts at i.
    private static readonly int[] s_lastWithName = new int[Count + 1];

    // s_firstIndexByNameLength[n] lists the first index of every distinct name of length n (encoder lookups).
    private static readonly int[][] s_firstIndexByNameLength;

    static StaticTable()
    {
        s_names[0] = [];
        s_values[0] = [];
        var byLength = new List<int>[32];
        for (int index = 1; index <= Count; index++)
        {
            string name = s_source[(index - 1) * 2];
            string value = s_source[((index - 1) * 2) + 1];
            bool sameAsPrevious = index > 1 && name == s_source[(index - 2) * 2];
            s_names[index] = sameAsPrevious ? s_names[index - 1] : Encoding.ASCII.GetBytes(name);
            s_values[index] = Encoding.ASCII.GetBytes(value);
            if (!sameAsPrevious)
            {
                (byLength[name.Length] ??= []).Add(index);
            }
        }

        for (int index = Count; index >= 1; index--)
        {
            bool sameAsNext = index < Count && ReferenceEquals(s_names[index], s_names[index + 1]);
            s_lastWithName[index] = sameAsNext ? s_lastWithName[index + 1] : index;
        }

        s_firstIndexByNameLength = new int[byLength.Length][];
        for (int length = 0; length < byLength.Length; length++)
        {
            s_firstIndexByNameLength[length] = byLength[length]?.ToArray() ?? [];
        }
    }

    /// <summary>Name of the entry at <paramref name="index"/> (1 to <see cref="Count"/>).</summary>
    public static ReadOnlySpan<byte> GetName(int index) => s_names[index];

    /// <summary>Value of the entry at <paramref name="index"/> (1 to <see cref="Count"/>).</summary>
    public static ReadOnlySpan<byte> GetValue(int index) => s_values[index];

    /// <summary>Looks a field up for the encoder.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">Field value.</param>
    /// <param name="nameIndex">Smallest index whose name matches, or 0.</param>
    /// <returns>Index of the entry matching both name and value, or 0.</returns>
    public static int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex)
    {
        nameIndex = 0;
        if ((uint)name.Length >= (uint)s_firstIndexByNameLength.Length)
        {
            return 0;
        }

        foreach (int first in s_firstIndexByNameLength[name.Length])
        {
            if (!name.SequenceEqual(s_names[first]))
            {
                continue;
            }

            nameIndex = first;
            int last = s_lastWithName[first];
            for (int index = first; index <= last; index++)
            {
                if (value.SequenceEqual(s_values[index]))
                {
                    return index;
                }
            }

            return 0;
        }

        return 0;
    }
}
