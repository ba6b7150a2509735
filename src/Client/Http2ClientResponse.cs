using System.IO.Compression;
using System.Text;
using Http2Lab.Client.Connection;

namespace Http2Lab.Client;

/// <summary>
/// A response: status and header fields at once, the body as it arrives (a stream, or read whole as bytes or text),
/// trailers once the body has been read. Disposing it before the body ended resets the stream (RST_STREAM CANCEL).
/// </summary>
public sealed class Http2ClientResponse : IAsyncDisposable, IDisposable
{
    private readonly ClientExchange _exchange;
    private Stream? _body;

    internal Http2ClientResponse(ClientExchange exchange, int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool decompress)
    {
        _exchange = exchange;
        StatusCode = status;
        Headers = headers;
        ContentEncoding = decompress ? GetHeader("content-encoding")?.Trim().ToLowerInvariant() : null;
    }

    /// <summary>The <c>:status</c>.</summary>
    public int StatusCode { get; }

    /// <summary>Regular header fields in arrival order (lowercase names).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The stream id the request had on its connection.</summary>
    public int StreamId => _exchange.StreamId;

    /// <summary>Trailer fields; empty until the body has been read to its end (or when there were none).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers => _exchange.Trailers;

    /// <summary>The content coding the body is decoded from (<c>gzip</c>, <c>br</c>, <c>deflate</c>), or null.</summary>
    public string? ContentEncoding { get; }

    /// <summary>The body as sent, still encoded.</summary>
    public Stream RawBody => _exchange.Body;

    /// <summary>The body, decoded when the server compressed it (gzip, br, deflate).</summary>
    public Stream Body => _body ??= ContentEncoding switch
    {
        "gzip" or "x-gzip" => new GZipStream(_exchange.Body, CompressionMode.Decompress),
        "br" => new BrotliStream(_exchange.Body, CompressionMode.Decompress),
        "deflate" => new ZLibStream(_exchange.Body, CompressionMode.Decompress),
        _ => _exchange.Body,
    };

    /// <summary>The first value of the header field <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? GetHeader(string name)
    {
        foreach ((string key, string value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Reads the whole (decoded) body.</summary>
    public async Task<byte[]> ReadAsBytesAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Reads the whole (decoded) body as text in the charset of <c>content-type</c> (UTF-8 when none is named).</summary>
    public async Task<string> ReadAsStringAsync(CancellationToken cancellationToken = default)
    {
        byte[] body = await ReadAsBytesAsync(cancellationToken).ConfigureAwait(false);
        return CharsetOf(GetHeader("content-type")).GetString(body);
    }

    /// <summary>Reads the body to its end without keeping it and returns its length (e.g. for load tests).</summary>
    public async Task<long> DrainAsync(CancellationToken cancellationToken = default)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long total = 0;
            int n;
            while ((n = await Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += n;
            }

            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The encoding named by a <c>content-type</c>'s charset parameter; UTF-8 when absent or unknown.</summary>
    internal static Encoding CharsetOf(string? contentType)
    {
        if (contentType is null)
        {
            return Encoding.UTF8;
        }

        foreach (string part in contentType.Split(';'))
        {
            string p = part.Trim();
            if (p.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
            {
                string name = p["charset=".Length..].Trim('"', ' ');
                try
                {
                    return Encoding.GetEncoding(name);
                }
                catch (ArgumentException)
                {
                    return Encoding.UTF8;
                }
            }
        }

        return Encoding.UTF8;
    }

    /// <summary>Ends the exchange: a body not read to its end is abandoned with RST_STREAM CANCEL.</summary>
    public void Dispose() => _exchange.Abandon();

    /// <summary>Ends the exchange: a body not read to its end is abandoned with RST_STREAM CANCEL.</summary>
    public ValueTask DisposeAsync()
    {
        _exchange.Abandon();
        return ValueTask.CompletedTask;
    }
}
