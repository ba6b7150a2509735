using System.Text;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>Random request, trailer and response fields: valid ones (RFC 9113 §8.2–8.3), and requests with one defect.</summary>
internal static class RandomFields
{
    private static readonly string[] Methods = ["GET", "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH"];
    private static readonly string[] Paths = ["/", "/index.html", "/a/b/c?x=1&y=2", "/echo", "/%7Efuzz", "/bytes/100"];
    private static readonly string[] Authorities = ["localhost", "example.com:8443", "127.0.0.1:8080", "xn--bcher-kva.example"];

    private static readonly (string Name, string Value)[] Common =
    [
        ("user-agent", "http2lab-fuzz/1.0"), ("accept", "*/*"), ("accept-encoding", "gzip, deflate, br"),
        ("cookie", "a=1"), ("cookie", "b=2; c=3"), ("content-type", "application/octet-stream"), ("te", "trailers"),
        ("accept-language", "en-GB,en;q=0.9"), ("cache-control", "no-cache"), ("authorization", "Bearer abc.def"),
    ];

    /// <summary>A request header section: pseudo-headers first (in random order), then regular fields.</summary>
    public static List<(string Name, string Value)> Request(Random random, long? contentLength, int largeValueLength)
    {
        string method = Methods[random.Next(Methods.Length)];
        string path = method == "OPTIONS" && random.Next(3) == 0 ? "*" : Paths[random.Next(Paths.Length)];
        bool authority = random.Next(5) != 0;
        List<(string, string)> pseudo =
        [
            (":method", method), (":scheme", random.Next(3) == 0 ? "http" : "https"), (":path", path),
        ];
        if (authority)
        {
            pseudo.Add((":authority", Authorities[random.Next(Authorities.Length)]));
        }

        Shuffle(random, pseudo);
        List<(string Name, string Value)> fields = [.. pseudo];
        if (!authority)
        {
            fields.Add(("host", Authorities[random.Next(Authorities.Length)]));
        }

        int regular = random.Next(7);
        for (int i = 0; i < regular; i++)
        {
            fields.Add(random.Next(3) == 0 ? (CustomName(random), Value(random, random.Next(40))) : Common[random.Next(Common.Length)]);
        }

        if (contentLength is long length)
        {
            fields.Add(("content-length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (largeValueLength > 0)
        {
            fields.Add(("x-large", Value(random, largeValueLength)));
        }

        return fields;
    }

    /// <summary>
    /// A request header section with one defect of §8.2–8.3 (or an unusual but valid CONNECT): missing, empty, duplicate,
    /// unknown or misplaced pseudo-headers, uppercase or invalid names, connection-specific fields, bad values,
    /// an invalid or contradictory content-length, :protocol without extended CONNECT.
    /// </summary>
    public static List<(string Name, string Value)> MalformedRequest(Random random, long? contentLength)
    {
        List<(string Name, string Value)> fields = Request(random, contentLength, largeValueLength: 0);
        int pseudo = fields.FindLastIndex(f => f.Name.StartsWith(':'));
        switch (random.Next(17))
        {
            case 0: fields.RemoveAll(f => f.Name == OneOf(random, ":method", ":scheme", ":path")); break;
            case 1: Replace(fields, ":path", OneOf(random, "", "index.html", "*")); break;
            case 2: fields.Insert(0, (":path", "/again")); break;
            case 3: fields.Add((":method", "GET")); break; // a pseudo-header after regular fields
            case 4: fields.Insert(pseudo + 1, (OneOf(random, ":status", ":foo", ":"), "x")); break;
            case 5: fields.Add((OneOf(random, "X-Upper", "x y", "x:y", "\u00e9t\u00e9", "x\"q"), "v")); break;
            case 6: fields.Add((OneOf(random, "connection", "transfer-encoding", "upgrade", "keep-alive", "proxy-connection"), "x")); break;
            case 7: fields.Add(("te", OneOf(random, "gzip", "trailers, deflate", ""))); break;
            case 8: fields.Add(("x-bad", OneOf(random, " lead", "trail\t", "c\rr", "l\nf", "n\0ul"))); break;
            case 9: fields.Add(("content-length", OneOf(random, "abc", "-1", "+5", "1 2", "99999999999999999999", ""))); break;
            case 10: fields.Add(("content-length", "7")); fields.Add(("content-length", "8")); break;
            case 11: fields = [(":method", "CONNECT"), (":authority", OneOf(random, "example.com:443", ""))]; break;
            case 12: fields = [(":method", "CONNECT"), (":authority", "example.com:443"), (":scheme", "https"), (":path", "/")]; break;
            case 13: fields.Insert(pseudo + 1, (":protocol", "websocket")); break;
            case 14: fields.Insert(0, ("", "empty name")); break;
            case 15: fields.Add(("content-length", random.Next(1, 50).ToString(System.Globalization.CultureInfo.InvariantCulture))); break;
            default: Replace(fields, ":method", ""); break;
        }

        return fields;
    }

    /// <summary>One or two small trailer fields (no pseudo-headers, §8.1).</summary>
    public static List<(string Name, string Value)> Trailers(Random random) =>
        random.Next(2) == 0 ? [("x-checksum", Value(random, 8))] : [("x-t", Value(random, 1)), ("grpc-status", "0")];

    /// <summary>
    /// Response fields for the fake application: lowercase names, at most four fields, and sometimes one value large
    /// enough for CONTINUATION at the default frame size; a block stays below 25 KiB (see <see cref="SessionInvariants.OutputSlack"/>).
    /// </summary>
    public static List<KeyValuePair<string, string>> Response(Random random)
    {
        var fields = new List<KeyValuePair<string, string>>();
        int count = random.Next(5);
        for (int i = 0; i < count; i++)
        {
            fields.Add(random.Next(6) switch
            {
                0 => new("content-type", "text/plain; charset=utf-8"),
                1 => new("set-cookie", "session=" + Value(random, 12)),
                2 => new("cache-control", "no-store"),
                3 => new("date", "Mon, 30 Nov 2026 06:41:39 GMT"),
                4 => new(CustomName(random), Value(random, random.Next(60))),
                _ => new("x-value", Value(random, random.Next(300))),
            });
        }

        if (random.Next(15) == 0)
        {
            fields.Add(new("x-large", Value(random, random.Next(17_000, 22_000))));
        }

        return fields;
    }

    /// <summary>A lowercase token name (RFC 9110 tchar), never a connection-specific one.</summary>
    public static string CustomName(Random random)
    {
        const string chars = "abcdefghijklmnopqrstuvwxyz0123456789-_.!#$%&'*+^`|~";
        var name = new StringBuilder("x-");
        int length = random.Next(1, 12);
        for (int i = 0; i < length; i++)
        {
            name.Append(chars[random.Next(chars.Length)]);
        }

        return name.ToString();
    }

    /// <summary>Visible ASCII with inner spaces and tabs; no leading or trailing whitespace (§8.2.1).</summary>
    public static string Value(Random random, int length)
    {
        var value = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            bool inner = i > 0 && i < length - 1;
            value.Append(inner && random.Next(10) == 0 ? (random.Next(2) == 0 ? ' ' : '\t') : (char)random.Next(0x21, 0x7F));
        }

        return value.ToString();
    }

    private static void Replace(List<(string Name, string Value)> fields, string name, string value)
    {
        int at = fields.FindIndex(f => f.Name == name);
        if (at >= 0)
        {
            fields[at] = (name, value);
        }
    }

    private static T OneOf<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
