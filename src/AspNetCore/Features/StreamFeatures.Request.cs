using Http2Lab.Http2.Application;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Http2Lab.AspNetCore.Features;

/// <summary>The request side: line, headers, body, trailers, size limit, body detection.</summary>
internal abstract partial class StreamFeatures : IHttpRequestFeature, IHttpRequestBodyDetectionFeature, IHttpRequestTrailersFeature,
    IHttpMaxRequestBodySizeFeature, IHttpBodyControlFeature
{
    private readonly HeaderDictionary _requestHeaders = new();
    private readonly ServerRequestStream _requestBody;
    private HeaderDictionary? _requestTrailers;
    private IHeaderDictionary? _requestHeadersOverride;
    private Stream? _requestBodyOverride;
    private long? _maxRequestBodySize;

    public string Protocol { get; set; } = "HTTP/2";

    public string Scheme { get; set; } = "";

    public string Method { get; set; } = "";

    public string PathBase { get; set; } = "";

    public string Path { get; set; } = "";

    public string QueryString { get; set; } = "";

    public string RawTarget { get; set; } = "";

    IHeaderDictionary IHttpRequestFeature.Headers
    {
        get => _requestHeadersOverride ?? _requestHeaders;
        set => _requestHeadersOverride = value;
    }

    Stream IHttpRequestFeature.Body
    {
        get => _requestBodyOverride ?? _requestBody;
        set => _requestBodyOverride = value;
    }

    /// <summary>RFC 9113 §8.1: a request that ended with its HEADERS frame has no content.</summary>
    public bool CanHaveBody { get; private set; }

    /// <summary>Whether any of the request body has been read (the size limit is then fixed).</summary>
    internal bool RequestBodyStarted { get; set; }

    internal long? MaxRequestBodySizeValue => _maxRequestBodySize;

    internal long? DeclaredContentLength => Request.ContentLength;

    internal Stream NativeRequestBody => Request.Body;

    public bool AllowSynchronousIO { get; set; }

    // ---- IHttpRequestTrailersFeature ----

    bool IHttpRequestTrailersFeature.Available => StreamContext.RequestComplete;

    IHeaderDictionary IHttpRequestTrailersFeature.Trailers
    {
        get
        {
            if (!StreamContext.RequestComplete)
            {
                throw new InvalidOperationException("The request trailers are not available yet: read the body to its end first.");
            }

            if (_requestTrailers is null)
            {
                _requestTrailers = new HeaderDictionary();
                AppendFields(_requestTrailers, Request.Trailers);
            }

            return _requestTrailers;
        }
    }

    // ---- IHttpMaxRequestBodySizeFeature ----

    bool IHttpMaxRequestBodySizeFeature.IsReadOnly => RequestBodyStarted;

    long? IHttpMaxRequestBodySizeFeature.MaxRequestBodySize
    {
        get => _maxRequestBodySize;
        set
        {
            if (RequestBodyStarted)
            {
                throw new InvalidOperationException("The maximum request body size cannot be changed after the body has been read.");
            }

            _maxRequestBodySize = value;
        }
    }

    private void InitializeRequest(long? maxRequestBodySize)
    {
        Http2Request request = Request;
        Scheme = request.Scheme;
        Method = request.Method;
        PathBase = "";
        Path = request.Path; // already Kestrel's rules: decoded but %2F, no dot segments (decoding again would be wrong)
        QueryString = request.QueryString;
        RawTarget = request.PathAndQuery;
        CanHaveBody = !ReferenceEquals(request.Body, System.IO.Stream.Null);
        _maxRequestBodySize = maxRequestBodySize;
        AppendFields(_requestHeaders, request.Headers);

        // RFC 9113 §8.3.1: :authority stands for Host, which ASP.NET Core reads (Request.Host, host filtering).
        if (request.Authority.Length > 0 && !_requestHeaders.ContainsKey("host"))
        {
            _requestHeaders["host"] = request.Authority;
        }
    }

    private void ResetRequest()
    {
        Protocol = "HTTP/2";
        _requestHeaders.Clear();
        _requestTrailers = null;
        _requestHeadersOverride = null;
        _requestBodyOverride = null;
        RequestBodyStarted = false;
        AllowSynchronousIO = false;
        _requestBody.Reset();
    }

    private static void AppendFields(HeaderDictionary target, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            (string name, string value) = fields[i];
            if (!target.TryGetValue(name, out StringValues existing))
            {
                target[name] = value;
            }
            else if (name == "cookie")
            {
                // RFC 9113 §8.2.3: crumbs of one cookie field are joined with "; " for HTTP/1.1-minded code.
                target[name] = existing.ToString() + "; " + value;
            }
            else
            {
                target[name] = StringValues.Concat(existing, value);
            }
        }
    }
}
