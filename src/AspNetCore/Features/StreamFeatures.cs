using System.Collections;
using Http2Lab.Http2.Application;
using Http2Lab.Transport.Processing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// One HTTP/2 request as ASP.NET Core sees it: the feature collection and every feature the server provides, in one
/// object that is pooled and reset between requests (as Kestrel does), so the per-request cost stays close to the
/// native API's. A feature a middleware replaces (<c>Set</c>) shadows the built-in one until the next request.
/// </summary>
internal abstract partial class StreamFeatures : IFeatureCollection
{
    private readonly Dictionary<Type, object?> _replaced = [];
    private int _revision;
    private Http2Request? _request;
    private Http2Response? _response;
    private Http2StreamContext? _stream;
    private ProcessorContext? _connection;
    private bool _isTls;

    protected StreamFeatures(ILogger logger)
    {
        Logger = logger;
        _requestBody = new ServerRequestStream(this);
        _writer = new ResponseBodyWriter(this);
        _responseStream = new ServerResponseStream(this, _writer);
    }

    protected ILogger Logger { get; }

    private Http2Request Request => _request ?? throw new ObjectDisposedException(nameof(StreamFeatures));

    private Http2Response Response => _response ?? throw new ObjectDisposedException(nameof(StreamFeatures));

    private Http2StreamContext StreamContext => _stream ?? throw new ObjectDisposedException(nameof(StreamFeatures));

    private ProcessorContext Connection => _connection ?? throw new ObjectDisposedException(nameof(StreamFeatures));

    /// <summary>Binds the pooled object to a request.</summary>
    public void Initialize(Http2Request request, Http2Response response, long? maxRequestBodySize)
    {
        _request = request;
        _response = response;
        _stream = request.Stream;
        _connection = _stream.Connection.Context;
        _isTls = _connection.Features.Get<ITlsHandshakeFeature>() is not null;
        _revision++;
        InitializeRequest(maxRequestBodySize);
    }

    /// <summary>Forgets the request, keeping the buffers and collections for the next one.</summary>
    public void Reset()
    {
        ResetRequest();
        ResetResponse();
        ResetConnection();
        ResetRouting();
        _replaced.Clear();
        _request = null;
        _response = null;
        _stream = null;
        _connection = null;
        _revision++;
    }

    // ---- IFeatureCollection ----

    public bool IsReadOnly => false;

    public int Revision => _revision;

    public object? this[Type key]
    {
        get => _replaced.Count > 0 && _replaced.TryGetValue(key, out object? replaced) ? replaced : GetBuiltIn(key);
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            _replaced[key] = value;
            _revision++;
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (Type type in BuiltInTypes)
        {
            if (this[type] is { } feature)
            {
                yield return new(type, feature);
            }
        }

        foreach (KeyValuePair<Type, object?> pair in _replaced)
        {
            if (pair.Value is not null && Array.IndexOf(BuiltInTypes, pair.Key) < 0)
            {
                yield return new(pair.Key, pair.Value);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static readonly Type[] BuiltInTypes =
    [
        typeof(IHttpRequestFeature), typeof(IHttpResponseFeature), typeof(IHttpResponseBodyFeature),
        typeof(IHttpRequestBodyDetectionFeature), typeof(IHttpConnectionFeature), typeof(IHttpResponseTrailersFeature),
        typeof(IHttpResetFeature), typeof(IHttpRequestLifetimeFeature), typeof(IHttpRequestTrailersFeature),
        typeof(IHttpMaxRequestBodySizeFeature), typeof(IHttpRequestIdentifierFeature), typeof(IHttpBodyControlFeature),
        typeof(IEndpointFeature), typeof(IRouteValuesFeature),
        typeof(ITlsConnectionFeature), typeof(ITlsHandshakeFeature), typeof(ITlsApplicationProtocolFeature),
    ];

    private object? GetBuiltIn(Type key)
    {
        if (key == typeof(IHttpRequestFeature) || key == typeof(IHttpResponseFeature) || key == typeof(IHttpResponseBodyFeature)
            || key == typeof(IHttpRequestBodyDetectionFeature) || key == typeof(IHttpConnectionFeature)
            || key == typeof(IHttpResponseTrailersFeature) || key == typeof(IHttpResetFeature)
            || key == typeof(IHttpRequestLifetimeFeature) || key == typeof(IHttpRequestTrailersFeature)
            || key == typeof(IHttpMaxRequestBodySizeFeature) || key == typeof(IHttpRequestIdentifierFeature)
            || key == typeof(IHttpBodyControlFeature) || key == typeof(IEndpointFeature) || key == typeof(IRouteValuesFeature))
        {
            return this;
        }

        if (!_isTls)
        {
            return null;
        }

        if (key == typeof(ITlsConnectionFeature))
        {
            return this;
        }

        // What the handshake negotiated is the connection's; the request only passes it on.
        return key == typeof(ITlsHandshakeFeature) || key == typeof(ITlsApplicationProtocolFeature)
            ? _connection?.Features[key]
            : null;
    }
}
