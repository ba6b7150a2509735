using System.Text;

namespace Http2Lab.Client;

/// <summary>
/// One request: method, URL, header fields, an optional body and trailers. The factories follow the content rules:
/// no body is a GET, a string is a POST of <c>text/plain; charset=utf-8</c>, bytes a POST of
/// <c>application/octet-stream</c>, a stream a POST of the content type given.
/// </summary>
public sealed class Http2ClientRequest
{
    /// <summary>Creates a request; <paramref name="url"/> must be absolute, http (h2c) or https.</summary>
    public Http2ClientRequest(string method, Uri url)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{url}' is not an absolute http or https URL.", nameof(url));
        }

        Method = method;
        Url = url;
    }

    /// <summary>The <c>:method</c>.</summary>
    public string Method { get; }

    /// <summary>The URL: scheme, host and port choose the connection; path and query become <c>:path</c>.</summary>
    public Uri Url { get; }

    /// <summary>Regular header fields; names are sent lowercase (RFC 9113 §8.2.1).</summary>
    public IList<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>Trailer fields sent after the body (RFC 9113 §8.1).</summary>
    public IList<KeyValuePair<string, string>> Trailers { get; } = [];

    /// <summary>The body as octets, if it has one in memory.</summary>
    public ReadOnlyMemory<byte>? Content { get; set; }

    /// <summary>The body as a stream, read once (a request with one cannot be retried).</summary>
    public Stream? ContentStream { get; set; }

    /// <summary>The <c>content-type</c> of the body, if any.</summary>
    public string? ContentType { get; set; }

    /// <summary>Whether the request carries a body.</summary>
    public bool HasContent => Content is not null || ContentStream is not null;

    /// <summary>A GET of <paramref name="url"/>.</summary>
    public static Http2ClientRequest Get(string url) => new("GET", new Uri(url));

    /// <summary>A POST of <paramref name="text"/> as <c>text/plain; charset=utf-8</c>.</summary>
    public static Http2ClientRequest Post(string url, string text) =>
        new("POST", new Uri(url)) { Content = Encoding.UTF8.GetBytes(text), ContentType = "text/plain; charset=utf-8" };

    /// <summary>A POST of <paramref name="octets"/> as <c>application/octet-stream</c>.</summary>
    public static Http2ClientRequest Post(string url, byte[] octets) =>
        new("POST", new Uri(url)) { Content = octets, ContentType = "application/octet-stream" };

    /// <summary>A POST of what <paramref name="body"/> holds, as <paramref name="contentType"/>.</summary>
    public static Http2ClientRequest Post(string url, Stream body, string contentType) =>
        new("POST", new Uri(url)) { ContentStream = body, ContentType = contentType };

    /// <summary>Adds a header field.</summary>
    public Http2ClientRequest WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a trailer field.</summary>
    public Http2ClientRequest WithTrailer(string name, string value)
    {
        Trailers.Add(new(name, value));
        return this;
    }
}
