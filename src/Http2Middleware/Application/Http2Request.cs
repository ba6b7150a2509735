using System.IO.Compression;
using System.Text;
using Http2Lab.Http2.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Http2.Application;

/// <summary>A request as a handler sees it: the validated header section and a flow-controlled body.</summary>
public sealed class Http2Request
{
    private readonly Http2StreamContext _stream;
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private Http2RequestHead _head;

    internal Http2Request(Http2StreamContext stream)
    {
        _stream = stream;
    }

    /// <summary>Binds the (reused) object to the request whose header section just arrived.</summary>
    internal void Start(Http2RequestHead head)
    {
        _headers.AddRange(head.Headers); // the session lends its list for the call; ours is reused request after request
        _head = head with { Headers = _headers };
        int query = head.Path.IndexOf('?');
        string path = query < 0 ? head.Path : head.Path[..query];
        // Decoded and without dot segments before anything routes on it; PathAndQuery keeps what was sent.
        Path = path.StartsWith('/') ? RequestPath.Normalize(path) : path;
        QueryString = query < 0 ? "" : head.Path[query..];
    }

    /// <summary>Lets the finished request's header section go.</summary>
    internal void Reset()
    {
        _head = default;
        _headers.Clear();
        Path = "";
        QueryString = "";
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

    /// <summary>
    /// The path without the query string, percent-decoded (except <c>%2F</c>) and with dot segments removed
    /// (RFC 3986 §5.2.4): <c>/static/../appsettings.json</c> arrives as <c>/appsettings.json</c>.
    /// </summary>
    public string Path { get; private set; } = "";

    /// <summary>The query string including its leading <c>?</c>, or empty.</summary>
    public string QueryString { get; private set; } = "";

    /// <summary>The <c>:path</c> as sent: path and query, not decoded or normalised.</summary>
    public string PathAndQuery => _head.Path;

    /// <summary>Regular header fields in arrival order (lowercase names); valid until the handler has finished.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

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

    /// <summary>The connection the request came on: addresses and, over TLS, protocol, cipher, ALPN and SNI.</summary>
    public Http2ConnectionInfo Connection => _stream.Connection.Info;

    /// <summary>
    /// The request's own DI scope, for scoped services: created on first use and disposed when the handler has
    /// finished. Available to handlers run by the <see cref="Http2Router"/>.
    /// </summary>
    public IServiceProvider RequestServices
    {
        get
        {
            if (_scope is { } scope)
            {
                return scope.ServiceProvider;
            }

            IServiceScopeFactory factory = _stream.Connection.ScopeFactory
                ?? throw new InvalidOperationException("RequestServices is for handlers the Http2Router runs; this request has no service provider.");
            _scope = factory.CreateAsyncScope();
            return _scope.Value.ServiceProvider;
        }
    }

    private AsyncServiceScope? _scope;

    /// <summary>Disposes the request's DI scope, if a handler made one.</summary>
    internal ValueTask DisposeScopeAsync()
    {
        if (_scope is not { } scope)
        {
            return ValueTask.CompletedTask;
        }

        _scope = null;
        return scope.DisposeAsync();
    }

    /// <summary>Whether a handler asked for <see cref="RequestServices"/>.</summary>
    internal bool HasScope => _scope is not null;

    /// <summary>
    /// The value of the header named <paramref name="name"/>, or null. Several <c>cookie</c> fields come back joined
    /// with <c>"; "</c> (RFC 9113 §8.2.3: HTTP/2 lets a client split them); of other repeated fields, the first.
    /// </summary>
    public string? GetHeader(string name)
    {
        bool cookie = string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase);
        string? found = null;
        foreach (KeyValuePair<string, string> field in _headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                if (!cookie)
                {
                    return field.Value;
                }

                found = found is null ? field.Value : string.Concat(found, "; ", field.Value);
            }
        }

        return found;
    }

    /// <summary>
    /// Every value of the header named <paramref name="name"/>, in arrival order (empty when absent); the
    /// <c>cookie</c> fields as one value joined with <c>"; "</c> (RFC 9113 §8.2.3).
    /// </summary>
    public IReadOnlyList<string> GetHeaderValues(string name)
    {
        if (string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase))
        {
            return GetHeader(name) is { } joined ? [joined] : [];
        }

        List<string>? values = null;
        foreach (KeyValuePair<string, string> field in _headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                (values ??= []).Add(field.Value);
            }
        }

        return values is null ? [] : values;
    }

    /// <summary>The first value of query parameter <paramref name="name"/> (decoded), or null.</summary>
    public string? GetQueryValue(string name)
    {
        foreach ((string key, string value) in QueryPairs())
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Every value of query parameter <paramref name="name"/> (decoded), in order; empty when absent.</summary>
    public IReadOnlyList<string> GetQueryValues(string name)
    {
        List<string>? values = null;
        foreach ((string key, string value) in QueryPairs())
        {
            if (key == name)
            {
                (values ??= []).Add(value);
            }
        }

        return values is null ? [] : values;
    }

    private IEnumerable<(string Key, string Value)> QueryPairs()
    {
        foreach (string pair in QueryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            // application/x-www-form-urlencoded: '+' is a space in keys and values alike.
            string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            yield return (key, eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' ')));
        }
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
