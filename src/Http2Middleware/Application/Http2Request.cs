using System.IO.Compression;
using System.Text;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Application;

/// <summary>A request as a handler sees it: the validated header section and a flow-controlled body.</summary>
public sealed class Http2Request
{
    private readonly Http2RequestHead _head;
    private readonly Http2StreamContext _stream;

    internal Http2Request(Http2StreamContext stream, Http2RequestHead head)
    {
        _stream = stream;
        _head = head;
        int query = head.Path.IndexOf('?');
        Path = query < 0 ? head.Path : head.Path[..query];
        QueryString = query < 0 ? "" : head.Path[query..];
    }

    /// <summary>The stream the request arrived on (for the ASP.NET Core server's features).</summary>
    internal Http2StreamContext Stream => _stream;

    /// <summary>The HTTP/2 stream id.</summary>
    public int StreamId => _stream.StreamId;

    /// <summary>The request method, e.g. <c>GET</c>.</summary>
    public string Method => _head.Method;

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme => _head.Scheme;

    /// <summary>The <c>:authority</c> (or <c>host</c>) of the request.</summary>
    public string Authority => _head.Authority;

    /// <summary>The path without the query string.</summary>
    public string Path { get; }

    /// <summary>The query string including its leading <c>?</c>, or empty.</summary>
    public string QueryString { get; }

    /// <summary>The <c>:path</c> as sent: path and query.</summary>
    public string PathAndQuery => _head.Path;

    /// <summary>Regular header fields in arrival order (lowercase names).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _head.Headers;

    /// <summary>The declared <c>content-length</c>, if any.</summary>
    public long? ContentLength => _head.ContentLength;

    /// <summary>Trailers received after the body, once the body has been read to its end.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers => _stream.RequestTrailers ?? [];

    /// <summary>Cancelled when the stream is reset or the connection goes away.</summary>
    public CancellationToken Aborted => _stream.Aborted;

    /// <summary>
    /// The body as sent (not decoded). Reading it returns flow-control credit to the client, so a
    /// handler that reads slowly slows the client down rather than filling memory.
    /// </summary>
    public Stream Body => _stream.RequestBody;

    /// <summary>The value of the first header named <paramref name="name"/> (lowercase), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (KeyValuePair<string, string> field in _head.Headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>The value of query parameter <paramref name="name"/>, or null.</summary>
    public string? GetQueryValue(string name)
    {
        foreach (string pair in QueryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            // application/x-www-form-urlencoded: '+' is a space in keys and values alike.
            string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            if (key == name)
            {
                return eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }

        return null;
    }

    /// <summary>The body with <c>content-encoding: gzip</c> undone, for streaming reads.</summary>
    public Stream OpenDecodedBody() =>
        string.Equals(GetHeader("content-encoding"), "gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(Body, CompressionMode.Decompress, leaveOpen: true)
            : Body;

    /// <summary>Reads the whole decoded body; more than <paramref name="maxLength"/> octets is an <see cref="InvalidDataException"/>.</summary>
    public async Task<byte[]> ReadBodyAsBytesAsync(long maxLength = 256L * 1024 * 1024, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await using Stream body = OpenDecodedBody();
        byte[] chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxLength)
                {
                    throw new InvalidDataException($"Request body exceeds {maxLength} octets.");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads the whole decoded body as text in the charset of <c>content-type</c> (UTF-8 when absent; then a
    /// byte-order mark decides and is not part of the text). Characters split across DATA frames are reassembled.
    /// </summary>
    public async Task<string> ReadBodyAsTextAsync(CancellationToken cancellationToken = default)
    {
        await using Stream body = OpenDecodedBody();
        byte[] chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            // The first four octets are gathered before decoding: a byte-order mark may arrive one octet per frame.
            int head = 0;
            int read;
            while (head < 4 && (read = await body.ReadAsync(chunk.AsMemory(head, 4 - head), cancellationToken)) > 0)
            {
                head += read;
            }

            int skip;
            Encoding? encoding = GetDeclaredEncoding();
            if (encoding is null)
            {
                encoding = DetectByteOrderMark(chunk.AsSpan(0, head), out skip);
            }
            else
            {
                // A declared charset's own mark is still not text (as StreamReader treats it).
                skip = chunk.AsSpan(0, head).StartsWith(encoding.Preamble) ? encoding.Preamble.Length : 0;
            }

            Decoder decoder = encoding.GetDecoder();
            var text = new StringBuilder();
            Append(decoder, text, chunk.AsSpan(skip, head - skip), flush: false);
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                Append(decoder, text, chunk.AsSpan(0, read), flush: false);
            }

            Append(decoder, text, [], flush: true);
            return text.ToString();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void Append(Decoder decoder, StringBuilder text, ReadOnlySpan<byte> bytes, bool flush)
    {
        Span<char> chars = stackalloc char[1024];
        bool completed = false;
        while (!completed)
        {
            decoder.Convert(bytes, chars, flush, out int used, out int produced, out completed);
            text.Append(chars[..produced]);
            bytes = bytes[used..];
        }
    }

    /// <summary>UTF-8 unless a byte-order mark names UTF-8, UTF-16 or UTF-32; <paramref name="markLength"/> octets to drop.</summary>
    private static Encoding DetectByteOrderMark(ReadOnlySpan<byte> head, out int markLength)
    {
        (Encoding Encoding, int Length) found = head switch
        {
            [0xEF, 0xBB, 0xBF, ..] => (Encoding.UTF8, 3),
            [0xFF, 0xFE, 0x00, 0x00, ..] => (Encoding.UTF32, 4),
            [0x00, 0x00, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false), 4),
            [0xFF, 0xFE, ..] => (Encoding.Unicode, 2),
            [0xFE, 0xFF, ..] => (Encoding.BigEndianUnicode, 2),
            _ => (Encoding.UTF8, 0),
        };
        markLength = found.Length;
        return found.Encoding;
    }

    private Encoding? GetDeclaredEncoding()
    {
        string? contentType = GetHeader("content-type");
        int at = contentType?.IndexOf("charset=", StringComparison.OrdinalIgnoreCase) ?? -1;
        if (at >= 0)
        {
            string charset = contentType![(at + 8)..].Split(';')[0].Trim().Trim('"');
            try
            {
                return Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // Unknown charset: fall back to UTF-8 rather than fail the request.
            }
        }

        return null;
    }
}
