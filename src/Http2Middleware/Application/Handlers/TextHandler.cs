using System.IO.Compression;
using System.Text;

namespace Http2Lab.Http2.Application.Handlers;

/// <summary>
/// Answers with text, <c>text/html; charset=UTF-8</c> by default, gzip-compressed when the request's
/// <c>accept-encoding</c> allows it (RFC 9110 §12.5.3) and the text is long enough to gain from it. Fixed text is
/// encoded and compressed once; text made per request (<see cref="TextHandler(Func{Http2Request, string})"/>) each time.
/// </summary>
public sealed class TextHandler
{
    /// <summary>The default <c>content-type</c>.</summary>
    public const string HtmlUtf8 = "text/html; charset=UTF-8";

    // Below this, gzip's header and trailer (18 octets) and the lost HPACK-friendliness outweigh the gain.
    private const int MinimumGzipLength = 256;

    private readonly Func<Http2Request, string>? _render;
    private readonly byte[]? _plain;
    private readonly byte[]? _gzipped;
    private readonly KeyValuePair<string, string>[] _headers;

    /// <summary>Answers with fixed text.</summary>
    /// <param name="text">The text, sent as UTF-8.</param>
    /// <param name="contentType">The <c>content-type</c>; HTML in UTF-8 by default.</param>
    /// <param name="statusCode">The status, 200 by default.</param>
    /// <param name="headers">More header fields.</param>
    public TextHandler(string text, string contentType = HtmlUtf8, int statusCode = 200, IEnumerable<KeyValuePair<string, string>>? headers = null)
        : this(contentType, statusCode, headers)
    {
        ArgumentNullException.ThrowIfNull(text);
        _plain = Encoding.UTF8.GetBytes(text);
        _gzipped = _plain.Length >= MinimumGzipLength ? Compress(_plain) : null;
    }

    /// <summary>Answers with text made for each request, as HTML in UTF-8.</summary>
    /// <param name="render">Makes the text of a request's response.</param>
    public TextHandler(Func<Http2Request, string> render)
        : this(HtmlUtf8, 200, null)
    {
        ArgumentNullException.ThrowIfNull(render);
        _render = render;
    }

    private TextHandler(string contentType, int statusCode, IEnumerable<KeyValuePair<string, string>>? headers)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        StatusCode = statusCode;
        List<KeyValuePair<string, string>> fields = [HeaderRules.Validate("content-type", contentType)];
        foreach ((string name, string value) in headers ?? [])
        {
            fields.Add(HeaderRules.Validate(name, value));
        }

        _headers = [.. fields];
    }

    /// <summary>The status the responses carry.</summary>
    public int StatusCode { get; }

    /// <summary>Whether responses may be gzip-compressed (when the client accepts it); true by default.</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>Sends the text, compressed when the client accepts gzip.</summary>
    public async Task HandleAsync(Http2Request request, Http2Response response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        byte[] plain = _plain ?? Encoding.UTF8.GetBytes(_render!(request));
        response.StatusCode = StatusCode;
        foreach ((string name, string value) in _headers)
        {
            response.SetHeader(name, value);
        }

        byte[] body = plain;
        if (Gzip && plain.Length >= MinimumGzipLength)
        {
            // The representation depends on accept-encoding: caches must know (RFC 9110 §12.5.5).
            response.SetHeader("vary", "accept-encoding");
            if (AcceptsGzip(request.GetHeaderValues("accept-encoding")))
            {
                body = _gzipped ?? Compress(plain);
                response.SetHeader("content-encoding", "gzip");
            }
        }

        response.SetHeader("content-length", ContentLength.Text(body.Length));
        await response.WriteAsync(body, request.Aborted);
    }

    /// <summary>
    /// Whether <c>accept-encoding</c> lets gzip through (RFC 9110 §12.5.3): named (or <c>x-gzip</c>, or <c>*</c>)
    /// with a weight above 0.
    /// </summary>
    internal static bool AcceptsGzip(IReadOnlyList<string> acceptEncoding)
    {
        bool viaWildcard = false;
        foreach (string field in acceptEncoding)
        {
            foreach (string item in field.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] parts = item.Split(';', StringSplitOptions.TrimEntries);
                bool allowed = true;
                for (int i = 1; i < parts.Length; i++)
                {
                    if (parts[i].StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(parts[i].AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double q))
                    {
                        allowed = q > 0;
                    }
                }

                if (parts[0].Equals("gzip", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
                {
                    return allowed; // named explicitly: that decides, whatever * says
                }

                if (parts[0] == "*")
                {
                    viaWildcard = allowed;
                }
            }
        }

        return viaWildcard;
    }

    private static byte[] Compress(byte[] plain)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        return buffer.ToArray();
    }
}
