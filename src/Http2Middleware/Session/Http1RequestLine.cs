using System.Buffers;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Recognises an HTTP/1.x request line (RFC 9112 §3: <c>method SP request-target SP HTTP-version CRLF</c>) where an
/// HTTP/2 connection preface was expected, so that an HTTP/1.1 client on an h2c port gets an answer it can read.
/// </summary>
internal static class Http1RequestLine
{
    /// <summary>Longer than this without a line end is not a request line worth answering.</summary>
    public const int MaxLength = 8192;

    public enum Kind
    {
        /// <summary>Could still become a request line: wait for more octets.</summary>
        Incomplete,

        /// <summary>A complete HTTP/1.x request line.</summary>
        Request,

        /// <summary>Something else.</summary>
        NotHttp1,
    }

    /// <summary>Classifies the start of <paramref name="input"/>; <paramref name="line"/> is the request line when found.</summary>
    public static Kind Classify(in ReadOnlySequence<byte> input, out string line)
    {
        line = "";
        int length = (int)Math.Min(input.Length, MaxLength);
        Span<byte> head = length <= 1024 ? stackalloc byte[length] : new byte[length];
        input.Slice(0, length).CopyTo(head);

        int end = head.IndexOf((byte)'\n');
        ReadOnlySpan<byte> text = end < 0 ? head : head[..end];
        if (text.Length > 0 && text[^1] == '\r')
        {
            text = text[..^1];
        }

        // The method: an uppercase token (GET, POST, PRI, ...) and a space.
        int method = 0;
        while (method < text.Length && method < 20 && text[method] is >= (byte)'A' and <= (byte)'Z')
        {
            method++;
        }

        bool methodOk = method > 0 && (method == text.Length ? end < 0 && method < 20 : text[method] == ' ');
        if (!methodOk || text.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return Kind.NotHttp1;
        }

        if (end < 0)
        {
            return length < MaxLength ? Kind.Incomplete : Kind.NotHttp1;
        }

        // method SP target SP HTTP/1.x
        ReadOnlySpan<byte> rest = text[(method + 1)..];
        int space = rest.IndexOf((byte)' ');
        if (space <= 0 || rest[(space + 1)..] is not [(byte)'H', (byte)'T', (byte)'T', (byte)'P', (byte)'/', (byte)'1', (byte)'.', >= (byte)'0' and <= (byte)'9'])
        {
            return Kind.NotHttp1;
        }

        line = System.Text.Encoding.ASCII.GetString(text);
        return Kind.Request;
    }
}
