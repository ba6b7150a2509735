namespace Http2Lab.Http2.Session;

/// <summary>
/// A validated request header section (RFC 9113 §8.3.1), as the session hands it to the application. A value, not an
/// object: nothing is allocated per request for it, and <see cref="Headers"/> is the session's own list, lent for the
/// length of <see cref="IHttp2SessionHandler.OnRequest"/> only — a handler that keeps the fields copies them.
/// </summary>
internal readonly struct Http2RequestHead
{
    /// <summary>Creates a request head.</summary>
    public Http2RequestHead(string method, string scheme, string authority, string path, string? protocol,
        IReadOnlyList<KeyValuePair<string, string>> headers, long? contentLength)
    {
        Method = method;
        Scheme = scheme;
        Authority = authority;
        Path = path;
        Protocol = protocol;
        Headers = headers;
        ContentLength = contentLength;
    }

    /// <summary>The <c>:method</c> pseudo-header.</summary>
    public string Method { get; }

    /// <summary>The <c>:scheme</c> pseudo-header; empty for CONNECT.</summary>
    public string Scheme { get; }

    /// <summary>The <c>:authority</c> pseudo-header, or the <c>host</c> header when absent; may be empty.</summary>
    public string Authority { get; }

    /// <summary>The <c>:path</c> pseudo-header (path and query); empty for CONNECT.</summary>
    public string Path { get; }

    /// <summary>The <c>:protocol</c> pseudo-header of an extended CONNECT (RFC 8441), if any.</summary>
    public string? Protocol { get; }

    /// <summary>
    /// Regular header fields in arrival order; names are lowercase, values Latin-1. Lent: valid during the
    /// <see cref="IHttp2SessionHandler.OnRequest"/> call only (the session reuses the list for the next field block).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>The <c>content-length</c>, if the request declared one.</summary>
    public long? ContentLength { get; }

    /// <summary>The same head with a copy of its fields, for a handler that keeps it past the call.</summary>
    public Http2RequestHead Detached() => this with { Headers = [.. Headers] };
}
